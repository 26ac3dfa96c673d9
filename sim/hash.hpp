#pragma once
// FNV-1a, 64-bit (Fowler, Noll, Vo): a small, fast, well-known hash used to recognize a scenario
// and to detect corrupted checkpoints. It detects accidents (truncation, edits, bit flips), not
// tampering; nothing in cxsim relies on it for security.
#include <cstdint>
#include <string>
#include <string_view>

namespace cxsim {

inline constexpr std::uint64_t kFnv1a64Offset = 14695981039346656037ull;

// Hash of `bytes`, continuing from `state` (pass a previous result to hash several pieces).
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnv1a64Offset) {
  for (char c : bytes) {
    state ^= static_cast<unsigned char>(c);
    state *= 1099511628211ull;  // the 64-bit FNV prime
  }
  return state;
}

// 16 lowercase hexadecimal digits.
std::string hex64(std::uint64_t value);

}  // namespace cxsim
