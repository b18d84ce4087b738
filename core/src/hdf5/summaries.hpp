// SPDX-License-Identifier: MIT
// The writer's one-shot summaries, kept out of writer.cpp's recorder (which handles the streams:
// spikes, traces, weights, energy counts): per-neuron parameters under /parameters, a conventional
// model's energy totals under /energy/models/<model>, a chip's figures under /energy/chips/<chip>.
// Each is written once, or rewritten whole (an attribute of the same name is replaced).
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include <hdf5.h>

#include "memspike/core/recorder.hpp"

namespace memspike::h5 {

/// /parameters/<population>/<name>, one dataset per per-neuron parameter, unit in `<name>.unit`.
void write_neuron_parameters(hid_t root, std::span<const run_info::neuron_parameter> params,
                             const std::string& path);

/// /energy/models/<model>: the totals (attribute name, joules) and the preset text they came from.
void write_energy_model(hid_t energy, const std::string& model, const std::string& preset_text,
                        std::span<const std::pair<const char*, double>> totals, const std::string& path);

/// /energy/chips/<chip>: the chip's figures (attribute name, value) and its description text.
void write_chip(hid_t chips, const std::string& chip, const std::string& description_text,
                std::span<const std::pair<std::string, double>> figures, const std::string& path);

}  // namespace memspike::h5
