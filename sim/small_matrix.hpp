#pragma once
// Dense matrices of a calibration's size (parameters and targets: a few dozen rows at most), with
// the few operations its statistics need: products, the inverse of a symmetric positive definite
// matrix (Cholesky) and the eigenvalues of a symmetric one (cyclic Jacobi). Plain loops; exactness
// and clarity matter here, not speed.
#include <cstddef>
#include <optional>
#include <vector>

namespace cxsim {

using Matrix = std::vector<std::vector<double>>;

Matrix zero_matrix(std::size_t rows, std::size_t cols);
Matrix transpose(const Matrix& a);
Matrix multiply(const Matrix& a, const Matrix& b);

// The inverse of a symmetric positive definite matrix by its Cholesky factor; nullopt when a pivot
// is not positive (the matrix is singular or indefinite to working precision).
std::optional<Matrix> inverse_spd(const Matrix& a);

// Eigenvalues of a symmetric matrix (cyclic Jacobi rotations), ascending.
std::vector<double> symmetric_eigenvalues(Matrix a);

}  // namespace cxsim
