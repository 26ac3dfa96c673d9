// The name of an NLopt stopping reason, as the calibrate and optimize reports write it.
#pragma once

#include <nlopt.hpp>

namespace cxsim {

inline const char* nlopt_result_name(nlopt::result r) {
  switch (r) {
    case nlopt::SUCCESS:
      return "success";
    case nlopt::STOPVAL_REACHED:
      return "stopval_reached";
    case nlopt::FTOL_REACHED:
      return "ftol_reached";
    case nlopt::XTOL_REACHED:
      return "xtol_reached";
    case nlopt::MAXEVAL_REACHED:
      return "maxeval_reached";
    case nlopt::MAXTIME_REACHED:
      return "maxtime_reached";
    default:
      return "failure";
  }
}

}  // namespace cxsim
