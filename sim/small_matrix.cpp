// Small dense matrices (see small_matrix.hpp).
#include "small_matrix.hpp"

#include <algorithm>
#include <cmath>

namespace cxsim {

Matrix zero_matrix(std::size_t rows, std::size_t cols) { return Matrix(rows, std::vector<double>(cols, 0.0)); }

Matrix transpose(const Matrix& a) {
  const std::size_t rows = a.size(), cols = rows == 0 ? 0 : a[0].size();
  Matrix t = zero_matrix(cols, rows);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) t[j][i] = a[i][j];
  }
  return t;
}

Matrix multiply(const Matrix& a, const Matrix& b) {
  const std::size_t rows = a.size(), inner = b.size(), cols = inner == 0 ? 0 : b[0].size();
  Matrix c = zero_matrix(rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t k = 0; k < inner; ++k) {
      for (std::size_t j = 0; j < cols; ++j) c[i][j] += a[i][k] * b[k][j];
    }
  }
  return c;
}

std::optional<Matrix> inverse_spd(const Matrix& a) {
  const std::size_t n = a.size();
  // a = L L' (Cholesky-Banachiewicz).
  Matrix l = zero_matrix(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(s > 0.0) || !std::isfinite(s)) return std::nullopt;
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  // a^-1 = L'^-1 L^-1: solve L y = e_c, then L' x = y, column by column.
  Matrix inv = zero_matrix(n, n);
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<double> y(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double s = i == c ? 1.0 : 0.0;
      for (std::size_t k = 0; k < i; ++k) s -= l[i][k] * y[k];
      y[i] = s / l[i][i];
    }
    for (std::size_t i = n; i-- > 0;) {
      double s = y[i];
      for (std::size_t k = i + 1; k < n; ++k) s -= l[k][i] * inv[k][c];
      inv[i][c] = s / l[i][i];
    }
  }
  return inv;
}

std::vector<double> symmetric_eigenvalues(Matrix a) {
  const std::size_t n = a.size();
  constexpr int kMaxSweeps = 100;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double off = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) (i == j ? scale : off) += a[i][j] * a[i][j];
    }
    if (off <= 1e-30 * std::max(scale, 1e-300)) break;
    for (std::size_t p = 0; p + 1 < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a[p][q] == 0.0) continue;
        // The rotation that zeroes a[p][q] (Golub and Van Loan, Algorithm 8.5.1 sym.schur2).
        const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
        const double t = (theta >= 0.0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = a[i][i];
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace cxsim
