// SPDX-License-Identifier: MIT
// Where the shipped energy presets are found at run time (docs/decisions.md, "Where the energy
// presets are found"). An installed memspike must not depend on the source tree it was built from,
// and an installed tree must keep working after it is moved (a relocatable prefix, a container
// layer, a conda-style environment), so the directory is found relative to the binary that holds
// this code, not compiled in as one absolute path. The order:
//   1. $MEMSPIKE_ENERGY_DIR, when set: the user's explicit choice, used alone (a wrong value is an
//      error, not a silent fall-through to other presets);
//   2. <dir of this binary>/<path to the installed presets>: the binary is the shared library or
//      Python module holding this code (dladdr) or, for a static link, the executable
//      (/proc/self/exe); the relative paths come from GNUInstallDirs (bin/ and lib/ to share/);
//   3. the source tree's models/energy, for uninstalled builds (build/cli/memspike);
//   4. the configured install prefix's share/memspike/energy, for a program of its own linked
//      against an installed memspike (it lives outside the prefix).
#include "memspike/core/energy.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <dlfcn.h>
#include <link.h>

#include "memspike/core/errors.hpp"

// Defined by core/CMakeLists.txt for this file only (a changed prefix recompiles nothing else).
#ifndef MEMSPIKE_PRESETS_FROM_BINDIR
#error "MEMSPIKE_PRESETS_FROM_BINDIR, _FROM_LIBDIR, _SOURCE_TREE and _INSTALLED come from core/CMakeLists.txt"
#endif

namespace memspike {
namespace {

namespace fs = std::filesystem;

struct candidate {
    fs::path dir;
    std::string why;  // for the error message: where this place came from
};

/// The directory of the binary that holds this function: the shared object or Python module when
/// memspike is linked dynamically, else (a static link: the CLI, a user's program) the running
/// executable. Only one: the Python interpreter's own directory (/usr/bin) says nothing about
/// where a memspike module came from.
fs::path binary_dir() {
    std::error_code ec;
    Dl_info info{};
    link_map* map = nullptr;
    if (dladdr1(reinterpret_cast<void*>(&binary_dir), &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 &&
        map != nullptr && map->l_name != nullptr && map->l_name[0] != '\0') {  // "" is the main program
        const fs::path so = fs::canonical(map->l_name, ec);
        if (!ec) return so.parent_path();
    }
    const fs::path exe = fs::canonical("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

std::vector<candidate> candidates() {
    std::vector<candidate> out;
    if (const fs::path dir = binary_dir(); !dir.empty())
        for (const char* rel : {MEMSPIKE_PRESETS_FROM_BINDIR, MEMSPIKE_PRESETS_FROM_LIBDIR}) {
            const fs::path p = (dir / rel).lexically_normal();
            if (out.empty() || out.back().dir != p) out.push_back({p, "relative to " + dir.string()});
        }
    out.push_back({MEMSPIKE_PRESETS_SOURCE_TREE, "source tree"});
    out.push_back({MEMSPIKE_PRESETS_INSTALLED, "install prefix"});
    return out;
}

} // namespace

std::string energy_preset_dir() {
    std::error_code ec;
    if (const char* env = std::getenv("MEMSPIKE_ENERGY_DIR"); env != nullptr && env[0] != '\0') {
        if (fs::is_directory(env, ec)) return env;
        throw io_error("MEMSPIKE_ENERGY_DIR='" + std::string(env) +
                       "' is not a directory (it should hold the energy presets, *.toml; unset it to use the shipped ones)");
    }
    std::string tried;
    for (const auto& c : candidates()) {
        if (fs::is_directory(c.dir, ec)) return c.dir.string();
        tried += (tried.empty() ? "" : ", ") + c.dir.string() + " (" + c.why + ")";
    }
    throw io_error("no energy preset directory found; tried: MEMSPIKE_ENERGY_DIR (unset), " + tried +
                   ". Set MEMSPIKE_ENERGY_DIR to a directory of *.toml presets, or reinstall memspike");
}

} // namespace memspike
