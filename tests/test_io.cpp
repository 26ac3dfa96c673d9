// Atomic output files: complete content or an OutputError, never a partial file or a temp leftover.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh empty directory per test, removed afterwards.
class Io : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("cxsim_io_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Names of the directory's entries that look like our temporary files.
  static int temp_leftovers(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().find(".tmp.") != std::string::npos) ++n;
    }
    return n;
  }

  fs::path dir_;
};

}  // namespace

TEST_F(Io, WritesAndReplacesContent) {
  const fs::path file = dir_ / "result.json";
  cxsim::write_file_atomic(file.string(), "first version, longer than the second\n");
  EXPECT_EQ(read(file), "first version, longer than the second\n");
  cxsim::write_file_atomic(file.string(), "second\n");
  EXPECT_EQ(read(file), "second\n");
  EXPECT_EQ(temp_leftovers(dir_), 0);
}

TEST_F(Io, WritesEmptyAndBinaryContent) {
  const fs::path file = dir_ / "empty.txt";
  cxsim::write_file_atomic(file.string(), "");
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::file_size(file), 0u);

  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  const fs::path bin = dir_ / "big.bin";
  cxsim::write_file_atomic(bin.string(), big);
  EXPECT_TRUE(read(bin) == big);
  EXPECT_EQ(temp_leftovers(dir_), 0);
}

TEST_F(Io, FileGetsOrdinaryPermissions) {
  const fs::path file = dir_ / "perm.txt";
  cxsim::write_file_atomic(file.string(), "x");
  // mkstemp creates 0600; the result must be readable like any file the user creates.
  const auto perms = fs::status(file).permissions();
  EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none);
  EXPECT_NE(perms & fs::perms::owner_write, fs::perms::none);
}

TEST_F(Io, MissingParentDirectoryFails) {
  const fs::path missing = dir_ / "no_such_dir";
  const fs::path file = missing / "result.json";
  try {
    cxsim::write_file_atomic(file.string(), "content");
    FAIL() << "expected OutputError";
  } catch (const cxsim::OutputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot write " + file.string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_EQ(temp_leftovers(dir_), 0);
}

TEST_F(Io, TargetIsDirectoryFailsWithoutLeftovers) {
  const fs::path target = dir_ / "taken";
  fs::create_directories(target);
  EXPECT_THROW(cxsim::write_file_atomic(target.string(), "content"), cxsim::OutputError);
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(temp_leftovers(dir_), 0);
}

TEST_F(Io, FailureKeepsOldContent) {
  const fs::path file = dir_ / "keep.txt";
  cxsim::write_file_atomic(file.string(), "old\n");
  EXPECT_THROW(cxsim::write_file_atomic((dir_ / "missing" / "keep.txt").string(), "new\n"), cxsim::OutputError);
  EXPECT_EQ(read(file), "old\n");
}

TEST_F(Io, EmptyPathFails) { EXPECT_THROW(cxsim::write_file_atomic("", "x"), cxsim::OutputError); }

TEST_F(Io, EnsureDirectoryCreatesNested) {
  const fs::path nested = dir_ / "a" / "b" / "c";
  cxsim::ensure_directory(nested.string());
  EXPECT_TRUE(fs::is_directory(nested));
  cxsim::ensure_directory(nested.string());  // existing: no error
  cxsim::ensure_directory(nested.string() + "/");
  EXPECT_TRUE(fs::is_directory(nested));
}

TEST_F(Io, EnsureDirectoryFailsOnRegularFile) {
  const fs::path file = dir_ / "plain";
  cxsim::write_file_atomic(file.string(), "x");
  EXPECT_THROW(cxsim::ensure_directory(file.string()), cxsim::OutputError);
  EXPECT_THROW(cxsim::ensure_directory((file / "sub").string()), cxsim::OutputError);
  EXPECT_TRUE(fs::is_regular_file(file));
}

TEST_F(Io, FullDiskFailsAndDeviceIsNeverReplaced) {
  // /dev/full fails every write with ENOSPC, as a full disk does. As root, a rename over it would
  // replace the device node, so non-regular targets must be written in place.
  try {
    cxsim::write_file_atomic("/dev/full", "content");
    FAIL() << "expected OutputError";
  } catch (const cxsim::OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write /dev/full: No space left on device"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
  cxsim::write_file_atomic("/dev/null", "discarded");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(Io, CheckOutputFileFindsProblemsEarlyAndCreatesNothing) {
  cxsim::check_output_file((dir_ / "fine.json").string());
  EXPECT_FALSE(fs::exists(dir_ / "fine.json"));
  EXPECT_EQ(temp_leftovers(dir_), 0);
  EXPECT_THROW(cxsim::check_output_file((dir_ / "missing" / "x.json").string()), cxsim::OutputError);
  fs::create_directories(dir_ / "taken");
  EXPECT_THROW(cxsim::check_output_file((dir_ / "taken").string()), cxsim::OutputError);
  cxsim::check_output_file("/dev/null");
  EXPECT_THROW(cxsim::check_output_file(""), cxsim::OutputError);
}

TEST_F(Io, CheckOutputDirectoryCreatesNothing) {
  cxsim::check_output_directory((dir_ / "a" / "b").string());
  EXPECT_FALSE(fs::exists(dir_ / "a"));
  cxsim::check_output_directory(dir_.string());
  cxsim::write_file_atomic((dir_ / "plain").string(), "x");
  EXPECT_THROW(cxsim::check_output_directory((dir_ / "plain").string()), cxsim::OutputError);
  EXPECT_THROW(cxsim::check_output_directory((dir_ / "plain" / "sub").string()), cxsim::OutputError);
}
