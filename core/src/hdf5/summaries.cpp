// SPDX-License-Identifier: MIT
#include "summaries.hpp"

#include "handles.hpp"
#include "memspike/core/hdf5_layout.hpp"

namespace memspike::h5 {
namespace layout = hdf5_layout;

namespace {
/// Writes `value` as attribute `name`, replacing one of that name whatever its type was: totals
/// and figures are rewritten whole when a run is priced again.
template <class T>
void replace_attr(hid_t obj, const std::string& name, const T& value, const std::string& path) {
    if (H5Aexists(obj, name.c_str()) > 0) check(H5Adelete(obj, name.c_str()), path, "replacing attribute '" + name + "'");
    write_attr(obj, name, value, path);
}
}  // namespace

void write_neuron_parameters(hid_t root, std::span<const run_info::neuron_parameter> params,
                             const std::string& path) {
    if (params.empty()) return;  // only populations with per-neuron parameters are listed
    const handle group = open_or_create_group(root, layout::group_parameters, path, layout::path(layout::group_parameters));
    for (const auto& p : params) {
        const std::string where = layout::path(layout::group_parameters, p.population);
        const handle pop = open_or_create_group(group.get(), p.population, path, where);
        write_vector(pop.get(), p.name, p.values, path, where + "/" + p.name);
        write_attr(pop.get(), p.name + ".unit", p.unit, path);
    }
}

void write_energy_model(hid_t energy, const std::string& model, const std::string& preset_text,
                        std::span<const std::pair<const char*, double>> totals, const std::string& path) {
    const handle models = open_or_create_group(energy, layout::group_energy_models, path,
                                               layout::path(layout::group_energy, layout::group_energy_models));
    const handle g = open_or_create_group(models.get(), model, path,
                                          layout::path(layout::group_energy, layout::group_energy_models, model));
    for (const auto& [name, value] : totals) replace_attr(g.get(), name, value, path);
    replace_attr(g.get(), layout::attr_preset, preset_text, path);
}

void write_chip(hid_t chips, const std::string& chip, const std::string& description_text,
                std::span<const std::pair<std::string, double>> figures, const std::string& path) {
    const handle g = open_or_create_group(chips, chip, path,
                                          layout::path(layout::group_energy, layout::group_energy_chips, chip));
    for (const auto& [name, value] : figures) replace_attr(g.get(), name, value, path);
    replace_attr(g.get(), layout::attr_description, description_text, path);
}

}  // namespace memspike::h5
