// SPDX-License-Identifier: MIT
// The output path of a run: checks before anything is built, and the partial file renamed onto
// the target at close. See staging.hpp.
#include "staging.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "memspike/core/errors.hpp"
#include "memspike/core/recorder.hpp"

namespace memspike {
namespace fs = std::filesystem;

void recorder::check_output_path(const std::string& path, const std::string& scenario_file, bool overwrite) {
    if (path.empty()) throw io_error("output file: the path is empty; give a file name such as 'out.h5'");
    const std::string named = "output file '" + path + "'";
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);  // follows a symbolic link
    if (fs::is_directory(st))
        throw io_error(named + " is a directory; give a file name, e.g. '" + (fs::path(path) / "run.h5").string() + "'");
    if (fs::exists(st) && !fs::is_regular_file(st))
        throw io_error(named + " is a device, pipe or socket, not a file; give a file name such as 'out.h5'");
    // Checked before "exists": --overwrite must not make the scenario overwritable.
    if (!scenario_file.empty() && fs::equivalent(path, scenario_file, ec))
        throw io_error(named + " is the scenario file '" + scenario_file +
                       "': writing it would destroy the scenario; choose another output path (-o)");
    if (fs::is_symlink(fs::symlink_status(path, ec)) && !fs::exists(st))
        throw io_error(named + " is a symbolic link to nothing; remove it or choose another output path");
    const fs::path dir = fs::absolute(path, ec).parent_path();
    if (!fs::is_directory(dir))
        throw io_error("cannot write " + named + ": directory '" + dir.string() + "' does not exist");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw io_error("cannot write " + named + ": directory '" + dir.string() + "' is not writable (" +
                       std::strerror(errno) + ")");
    if (fs::exists(st) && !overwrite)
        throw io_error(named + " already exists; choose another path, or replace it with --overwrite (memspike run) "
                               "or overwrite=True (Python); it is replaced only when the new file is closed");
}

namespace h5 {
namespace {

/// Partial files of earlier runs onto the same target whose process no longer exists (killed, or
/// the machine went down): `<real>.partial-<pid>`. They are named on stderr, never removed: such a
/// file can be the only record of a long run (it opens, with complete = 0, up to its last flush).
/// A pid in use by an unrelated process hides a stale file; it is then not named, which is safe.
void note_stale_partials(const std::string& real) {
    std::error_code ec;
    const fs::path target = fs::absolute(real, ec);
    if (ec) return;
    const std::string prefix = target.filename().string() + ".partial-";
    for (fs::directory_iterator it(target.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
        std::fprintf(stderr,
                     "memspike: note: '%s' was left by an earlier run onto this output that did not finish "
                     "(process %d no longer exists); it opens as an incomplete result (complete = 0). "
                     "Remove it when it is not needed.\n",
                     it->path().c_str(), static_cast<int>(pid));
    }
}

}  // namespace

staged_path stage(const std::string& target, const std::string& scenario_file, bool overwrite) {
    recorder::check_output_path(target, scenario_file, overwrite);
    staged_path out;
    out.target = target;
    out.overwrite = overwrite;
    std::error_code ec;
    // A link is followed, as truncating through it did before: the file it names is replaced.
    out.real = fs::is_symlink(fs::symlink_status(target, ec)) ? fs::canonical(target, ec).string() : target;
    if (ec || out.real.empty()) out.real = target;
    out.partial = out.real + ".partial-" + std::to_string(::getpid());
    note_stale_partials(out.real);
    return out;
}

void publish(const staged_path& where) {
    int rc = 0;
    if (where.overwrite) {
        rc = std::rename(where.partial.c_str(), where.real.c_str());
    } else {
        rc = ::renameat2(AT_FDCWD, where.partial.c_str(), AT_FDCWD, where.real.c_str(), RENAME_NOREPLACE);
        if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {  // a file system without RENAME_NOREPLACE
            rc = ::link(where.partial.c_str(), where.real.c_str());
            if (rc == 0) ::unlink(where.partial.c_str());
        }
    }
    if (rc == 0) return;
    const int err = errno;
    std::string why = std::strerror(err);
    if (err == EEXIST) why = "a file of that name appeared while the run was writing";
    throw io_error("output file '" + where.target + "': the run's file is closed and readable as '" + where.partial +
                   "', but moving it onto the output failed (" + why + ")");
}

void reserve_space(const staged_path& where) {
    const std::string& file = where.partial;
    const std::string& target = where.target;
    constexpr off_t probe = off_t{1} << 20;
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) throw io_error("HDF5 file '" + target + "': creating '" + file + "' failed (" + std::strerror(errno) + ")");
    const int err = ::posix_fallocate(fd, 0, probe);
    const bool emptied = ::ftruncate(fd, 0) == 0;
    ::close(fd);
    if (err == 0 && emptied) return;
    ::unlink(file.c_str());
    throw io_error("HDF5 file '" + target + "': creating the file failed (" +
                   std::string(err != 0 ? std::strerror(err) : "cannot empty it again") + "; 1 MiB free is needed to start)");
}

void discard(const staged_path& where) noexcept { ::unlink(where.partial.c_str()); }

}  // namespace h5
}  // namespace memspike
