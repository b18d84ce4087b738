// SPDX-License-Identifier: MIT
// Bindings of the chip architectures (issue 14, docs/chips.md): the shipped descriptions, and a
// recorded run priced per tick on chips. The run is priced by core's price_run_on_chips and
// handed over as the JSON members that `memspike report --chips --json` prints
// (format_chip_report_json), so that Python and the command line cannot drift apart;
// memspike.chip_report turns it into a DataFrame.
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/chip.hpp"

namespace memspike::python {

void register_chip(py::module_& m) {
    m.def("chip_models", [] { return builtin_chip_models(); },
          "Names of the shipped chip descriptions (models/chips/*.toml; $MEMSPIKE_CHIP_DIR replaces the directory).");
    m.def("chip_report_json",
          [](const std::string& path, const std::vector<std::string>& chips) {
              std::string members;
              {
                  py::gil_scoped_release release;  // reading the file and mapping Brunel take a while
                  members = format_chip_report_json(price_run_on_chips(path, chips, builtin_registry()));
              }
              return "{" + members + "}";
          },
          py::arg("path"), py::arg("chips"),
          "The run in the memspike HDF5 file `path` priced per tick on each chip of `chips` (names or paths): a JSON "
          "object with the members \"chips\", \"chips_not_applicable\", \"chips_does_not_fit\" and \"chips_note\" of "
          "`memspike report --chips --json`.");
}

} // namespace memspike::python
