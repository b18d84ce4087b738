// SPDX-License-Identifier: MIT
// Where a run's HDF5 file lives while it is written, and how it replaces its target (issue 11):
// the file is created as `<target>.partial-<pid>` in the target's directory and renamed onto the
// target once closed, so that a crash at any moment leaves the target as it was (the previous
// file, or none) and a finished or stopped run replaces it in one atomic step. Private to
// core/src/hdf5/.
#pragma once

#include <string>

namespace memspike::h5 {

struct staged_path {
    std::string target;   // the path as the caller gave it: what messages name
    std::string real;     // the target with a symbolic link resolved: what gets replaced
    std::string partial;  // `<real>.partial-<pid>`: the file HDF5 writes
    bool overwrite = false;
};

/// The staged path of `target` (checked with recorder::check_output_path first).
staged_path stage(const std::string& target, const std::string& scenario_file, bool overwrite);

/// Renames the partial file onto the target. Without `overwrite` it never replaces a file that
/// appeared at the target meanwhile (renameat2 RENAME_NOREPLACE, or link + unlink where the file
/// system lacks it). Throws io_error naming both paths; the partial file is then kept.
void publish(const staged_path& where);

/// Creates the partial file (which must not exist) and checks that 1 MiB can be written to it,
/// then empties it again. A disk that is already full is thus reported before HDF5 writes
/// anything: HDF5 1.10 cannot close a file whose metadata it failed to write, and its own close at
/// exit then crashed (issue 11, defect 3). Throws io_error naming the target.
void reserve_space(const staged_path& where);

/// Removes the partial file (a creation that failed leaves nothing behind).
void discard(const staged_path& where) noexcept;

}  // namespace memspike::h5
