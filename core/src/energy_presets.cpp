// SPDX-License-Identifier: MIT
// Where the shipped energy presets are found at run time (docs/decisions.md, "Where the energy
// presets are found"). An installed memspike must not depend on the source tree it was built from,
// and an installed tree must keep working after it is moved (a relocatable prefix, a container
// layer, a conda-style environment), so the directory is found relative to the binary that holds
// this code, not compiled in as one absolute path. The order:
//   1. $MEMSPIKE_ENERGY_DIR, when set: the user's explicit choice, used alone (a wrong value is an
//      error, not a silent fall-through to other presets);
//   2. <dir of this binary>/<path to the installed presets>: the binary is the shared library or
//      Python module holding this code (dladdr1) or, for a static link, the executable
//      (/proc/self/exe); the relative paths come from GNUInstallDirs (bin/ for an executable, lib/
//      for a shared library, to share/) and MEMSPIKE_INSTALL_PYTHONDIR (the Python module);
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
#error "MEMSPIKE_PRESETS_FROM_BINDIR, _FROM_LIBDIR, _FROM_PYTHONDIR, _SOURCE_TREE and _INSTALLED come from core/CMakeLists.txt"
#endif

namespace memspike {
namespace {

namespace fs = std::filesystem;

struct candidate {
    fs::path dir;
    std::string why;  // for the error message: where this place came from
};

struct binary {
    fs::path dir;
    bool shared = false;  // a shared object (library, Python module), else the executable
};

/// The binary that holds this function: the shared object or Python module when memspike is
/// linked dynamically, else (a static link: the CLI, a user's program) the running executable.
/// Only one: the Python interpreter's own directory (/usr/bin) says nothing about where a
/// memspike module came from.
binary this_binary() {
    std::error_code ec;
    Dl_info info{};
    link_map* map = nullptr;
    if (dladdr1(reinterpret_cast<void*>(&this_binary), &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 &&
        map != nullptr && map->l_name != nullptr && map->l_name[0] != '\0') {  // "" is the main program
        const fs::path so = fs::canonical(map->l_name, ec);
        if (!ec) return {so.parent_path(), true};
    }
    const fs::path exe = fs::canonical("/proc/self/exe", ec);
    return {ec ? fs::path() : exe.parent_path(), false};
}

std::vector<candidate> candidates() {
    std::vector<candidate> out;
    // An executable is installed in bin/; a shared library in lib/, the Python module in its package.
    const binary b = this_binary();
    const std::vector<std::string> rels = b.shared
        ? std::vector<std::string>{MEMSPIKE_PRESETS_FROM_LIBDIR, MEMSPIKE_PRESETS_FROM_PYTHONDIR}
        : std::vector<std::string>{MEMSPIKE_PRESETS_FROM_BINDIR};
    if (!b.dir.empty())
        for (const auto& rel : rels)
            if (!rel.empty()) out.push_back({(b.dir / rel).lexically_normal(), "relative to " + b.dir.string()});
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
