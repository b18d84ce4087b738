// SPDX-License-Identifier: MIT
// What the libFuzzer harnesses share: the rule for what counts as a finding, and input files.
//
// A reader may reject any input, but only with memspike::error (exit 2, "error: ..." in the CLI).
// Anything else that escapes is a finding: std::exception other than memspike::error (the CLI's
// "internal error", exit 3: std::bad_alloc, std::out_of_range from a stoul, internal_error...),
// and of course whatever the sanitizers and libFuzzer catch (crashes, leaks, hangs, out of memory).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <unistd.h>

#include "memspike/core/errors.hpp"

namespace memspike::fuzz {

/// Runs `body`; memspike::error is a clean rejection, any other exception aborts (a finding).
template <class F>
void expect_clean(F&& body) {
    try {
        body();
    } catch (const memspike::error&) {
        // rejected with a located message: the expected outcome for most inputs
    } catch (const std::exception& e) {
        std::fprintf(stderr, "FINDING: escaped as internal error: %s\n", e.what());
        std::abort();
    }
}

/// A file holding the current input, for readers that take a path (HDF5, checkpoints). On tmpfs
/// when /dev/shm exists, so that writing it costs no disk I/O; one per process (fork mode and
/// -jobs run several).
class input_file {
public:
    explicit input_file(const char* suffix) {
        const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
        path_ = std::string(dir) + "/memspike_fuzz_" + std::to_string(getpid()) + suffix;
    }
    ~input_file() { std::remove(path_.c_str()); }
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    const std::string& write(const unsigned char* data, std::size_t size) {
        std::ofstream os(path_, std::ios::binary | std::ios::trunc);
        os.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        if (!os.flush()) {
            std::fprintf(stderr, "cannot write the fuzz input to %s\n", path_.c_str());
            std::abort();
        }
        return path_;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

} // namespace memspike::fuzz
