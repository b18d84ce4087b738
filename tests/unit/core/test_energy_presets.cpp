// SPDX-License-Identifier: MIT
// Where the shipped energy presets are found (core/src/energy_presets.cpp): $MEMSPIKE_ENERGY_DIR
// first and alone, then the binary's installed share/, then the source tree. The installed and
// relocated case is tests/install/test_install.sh. Each TEST_CASE runs in its own process
// (catch_discover_tests), so changing the environment here touches no other test.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"

using namespace memspike;
namespace fs = std::filesystem;

TEST_CASE("uninstalled build: presets come from the source tree", "[unit][energy]") {
    unsetenv("MEMSPIKE_ENERGY_DIR");
    // This test binary lives in the build tree, which has no share/memspike/energy next to it.
    CHECK(fs::equivalent(energy_preset_dir(), fs::path(MEMSPIKE_SOURCE_DIR) / "models" / "energy"));
    setenv("MEMSPIKE_ENERGY_DIR", "", 1);  // empty counts as unset
    CHECK(fs::equivalent(energy_preset_dir(), fs::path(MEMSPIKE_SOURCE_DIR) / "models" / "energy"));
}

TEST_CASE("MEMSPIKE_ENERGY_DIR comes first and is the only place looked at", "[unit][energy]") {
    const fs::path dir = fs::temp_directory_path() / ("memspike_presets_" + std::to_string(getpid()));
    fs::create_directories(dir);
    fs::copy_file(fs::path(MEMSPIKE_SOURCE_DIR) / "models" / "energy" / "truenorth.toml", dir / "truenorth.toml",
                  fs::copy_options::overwrite_existing);
    setenv("MEMSPIKE_ENERGY_DIR", dir.c_str(), 1);
    CHECK(energy_preset_dir() == dir.string());
    CHECK(builtin_energy_models() == std::vector<std::string>{"truenorth"});
    CHECK(find_energy_model("truenorth", builtin_registry()).file == (dir / "truenorth.toml").string());
    CHECK_THROWS_WITH(find_energy_model("loihi", builtin_registry()), Catch::Contains("unknown energy model") && Catch::Contains("truenorth"));

    // A wrong value is an error that names it, not a silent fall back to other presets.
    const std::string missing = (dir / "nowhere").string();
    setenv("MEMSPIKE_ENERGY_DIR", missing.c_str(), 1);
    CHECK_THROWS_AS(energy_preset_dir(), io_error);
    CHECK_THROWS_WITH(builtin_energy_models(),
                      Catch::Contains("MEMSPIKE_ENERGY_DIR='" + missing + "'") && Catch::Contains("not a directory"));
    unsetenv("MEMSPIKE_ENERGY_DIR");
    fs::remove_all(dir);
}
