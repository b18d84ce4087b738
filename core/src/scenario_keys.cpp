// SPDX-License-Identifier: MIT
// The key tables of the scenario format (scenario_keys.hpp). Rules here are documentation: the
// checks themselves live in the validator (scenario_validate*.cpp), whose messages a test pins.
#include "memspike/core/scenario_keys.hpp"

#include "memspike/core/errors.hpp"

namespace memspike {

namespace {

// One long function on purpose: it is a table, not logic, and reads top to bottom in the order of
// docs/scenario-format.md.
std::vector<scenario_section> make_sections() {
    std::vector<scenario_section> s;
    s.push_back({"simulation", "## `[simulation]`", {
        {"duration", "time", "required", "", "> 0, on the tick grid"},
        {"resolution", "time", "`\"0.1 ms\"`", "", "> 0"},
        {"seed", "integer", "`12345`", "",
         ">= 0. Every random stream is derived from it, so results do not depend on the number of threads"},
        {"threads", "integer", "`0`", "", ">= 0 and <= 65536. 0 lets oneTBB choose"},
        {"scale", "number", "`1.0`", "",
         "> 0. Multiplies every population `size`, rounds to nearest (halves away from zero), and gives at least 1. "
         "Populations of models that take spike-time lists are not scaled (their size is the length of `spike_times`). "
         "Neuron indices in `neurons` lists refer to the scaled populations"},
        {"quiescence_tolerance", "number", "`1e-9`", "",
         "> 0. A decaying synaptic variable below this absolute value, in its port's unit, counts as zero, and the "
         "neuron leaves the active set"},
    }});
    s.push_back({"population", "## `[[population]]`", {
        {"name", "string", "required", "", "an identifier (`[A-Za-z_][A-Za-z0-9_]*`), unique among populations"},
        {"model", "string", "required", "", "a registered model (`memspike inspect` lists them; see [models.md](models.md))"},
        {"size", "integer", "required (see rule)", "",
         ">= 1. Optional for models that take spike-time lists, where it defaults to the length of `spike_times` and, "
         "if given, must equal it. At most 4294967295 after scaling"},
        {"params", "table", "`{}`", "",
         "each key a parameter of the model, each value a quantity of that parameter's dimension (a plain number for "
         "dimensionless parameters; a name for a choice, such as `lif_cond_exp`'s `integrator = \"euler\"`). "
         "Parameters left out take the model's defaults. A required parameter without a "
         "default (such as the `rate` of a Poisson source) must be given. The model's cross-checks (e.g. "
         "`v_reset < v_th`) run on the complete set. Parameters of the LIF models, `lif_alpha`, `adex` and "
         "`izhikevich` may be given per neuron (an array, "
         "`{ values, unit }`, `{ file, unit }` or a [distribution](#distributions)): see "
         "[Per-neuron parameters](#per-neuron-parameters)"},
        {"init", "table", "`{}`", "",
         "each key a state variable of the model (e.g. `v`), each value a quantity of its dimension, a "
         "[distribution](#distributions) drawn per neuron, or one value per neuron in the forms of "
         "[per-neuron parameters](#per-neuron-parameters) (an array, `{ values, unit }`, `{ file, unit }`; "
         "exactly one value per neuron, another length is an error naming both)"},
        {"spike_times", "array of arrays of times", "—", "",
         "only for models that take spike-time lists ([models.md](models.md)), and required there: one array per "
         "neuron, each time >= 0 and on the tick grid, in any order (they are sorted). `[]` is a neuron that never fires"},
    }});
    s.push_back({"projection", "## `[[projection]]`", {
        {"name", "string", "`\"<source>-><target>\"`", "",
         "unique among projections, no `.`, quotes or spaces. Two projections between the same populations need "
         "explicit names"},
        {"source", "string", "required", "", "a population"},
        {"target", "string", "required", "", "a population whose model has receptor ports (sources have none)"},
        {"rule", "string", "required", "",
         "`one_to_one`, `all_to_all`, `fixed_probability`, `fixed_indegree`, `fixed_outdegree`, `fixed_total_number`, "
         "`explicit`"},
        {"indegree", "integer", "required by `fixed_indegree`", "",
         ">= 0. At most the number of available sources (one fewer for a recurrent projection without autapses) "
         "without multapses; with multapses, at least one must be available"},
        {"outdegree", "integer", "required by `fixed_outdegree`", "", ">= 0. Same limit on targets"},
        {"total_number", "integer", "required by `fixed_total_number`", "",
         ">= 0: the number of synapses, each on a (source, target) pair drawn uniformly with replacement "
         "(in-degrees vary). Multiplied by `simulation.scale` (rounded), which keeps the mean in-degree. Needs "
         "`allow_multapses = true` and at least one pair when > 0; bounded by memory (`memspike inspect`)"},
        {"probability", "number", "required by `fixed_probability`", "", "in [0, 1]"},
        {"file", "string", "required by `explicit`", "",
         "a CSV file with columns `source,target[,weight][,delay]`. Give it relative to the scenario file. It is "
         "loaded when the network is built"},
        {"allow_autapses", "boolean", "`true`", "", "whether a neuron may connect to itself (recurrent projections); `false` is refused with a recurrent `one_to_one`, which would make no synapse"},
        {"allow_multapses", "boolean", "`true`", "", "whether a pair may be connected more than once"},
        {"weight", "distribution", "required", "",
         "dimension of the target port (voltage, current or conductance: [models.md](models.md)); conductances >= 0. "
         "Within the rule's weight bounds on a plastic projection"},
        {"delay", "distribution of times", "required", "",
         "constant: >= one resolution step and on the grid. Drawn: `low`/`min` >= one resolution step (a normal's "
         "`min` defaults to one resolution step), rounded to the nearest tick"},
        {"receptor", "string", "the only port", "",
         "the target port (`ex`, `in`, ...). Required when the target model has more than one port"},
        {"plasticity", "table", "none (static)", "", "a plasticity rule and its parameters (Plastic projections, below)"},
    }});
    s.push_back({"stimulus", "## `[[stimulus]]`", {
        {"name", "string", "`\"<kind><index>\"`", "all",
         "unique. `<index>` is the position in the list of stimuli, counting from 0 (`poisson0`, `dc1`)"},
        {"kind", "string", "required", "all", "`poisson`, `dc`, `step` or `ac`"},
        {"target", "string", "required", "all", "a population. `dc` and `step` need a neuron model (not a source)"},
        {"neurons", "array of integers", "every neuron", "all", "indices < the (scaled) population size, no repeats, not empty"},
        {"rate", "frequency", "required", "poisson", "> 0"},
        {"weight", "quantity", "required", "poisson",
         "a constant, with the dimension of the target port (see projections)"},
        {"receptor", "string", "the only port", "poisson", "as for projections"},
        {"shared", "boolean", "`false`", "poisson",
         "`true`: one train delivered to all targets. `false`: an independent train per target"},
        {"start", "time", "`\"0 ms\"`", "poisson, dc, ac", ">= 0, on the grid"},
        {"stop", "time", "never", "poisson, dc, ac", "> `start`, on the grid. Required for `ac`"},
        {"amplitude", "current", "required", "dc, ac", "the constant current from `start` to `stop` (`ac`: of the sine)"},
        {"times", "array of times", "required", "step", "not empty, >= 0, strictly increasing, on the grid"},
        {"amplitudes", "array of currents", "required", "step", "same length as `times`. The current from `times[i]` on"},
        {"frequency", "frequency", "required", "ac", ">= 0. offset + amplitude sin(2 pi frequency t + phase), t from the start of the run, constant over each tick"},
        {"phase", "number", "`0`", "ac", "the phase at t = 0, in degrees"},
        {"offset", "current", "`\"0 pA\"`", "ac", "added to the sine"},
    }});
    s.push_back({"modulator", "## `[[modulator]]`", {
        {"name", "string", "`\"modulator<index>\"`", "", "unique among modulators, no `.`, quotes or spaces"},
        {"projections", "array of strings", "required", "", "names of plastic projections, not empty"},
        {"times", "array of times", "required", "", "not empty, >= 0, strictly increasing, on the grid"},
        {"values", "array of numbers", "required", "",
         "same length as `times`. The signal from `times[i]` on (0 before the first time)"},
    }});
    s.push_back({"recording", "## `[recording]`", {
        {"spikes", "`\"all\"` or array of strings", "`\"all\"`", "", "population names, no repeats. `[]` records no spikes"},
        {"flush_interval", "time", "`\"100 ms\"`", "",
         "> 0. Buffered spikes are appended to the output file, and the file flushed, every `flush_interval` of "
         "simulated time, but at most once per second of wall time"},
        {"energy_bin", "time", "`\"10 ms\"`", "",
         "0 (no energy ledger) or >= resolution, on the grid. Energy-ledger counts are written per bin "
         "([energy.md](energy.md))"},
        {"trace", "array of tables", "none", "", "`[[recording.trace]]` entries, below"},
        {"weights", "array of tables", "none", "", "`[[recording.weights]]` entries, below"},
        {"inference", "time", "none", "",
         "> 0, on the grid. The model time one inference takes (one input presented and read out). `memspike report` "
         "then prints the energy per inference: total × `inference` / simulated time"},
    }});
    s.push_back({"recording.trace", "`[[recording.trace]]`:", {
        {"population", "string", "required", "", "a population"},
        {"variables", "array of strings", "required", "",
         "state variables of the population's model (e.g. `[\"v\"]`), not empty, no repeats"},
        {"neurons", "array of integers", "every neuron", "", "indices < population size, no repeats, not empty"},
        {"interval", "time", "`\"1 ms\"`", "",
         ">= resolution, on the grid. If the resolution does not divide 1 ms, `interval` must be given"},
    }});
    s.push_back({"recording.weights", "`[[recording.weights]]`:", {
        {"projection", "string", "required", "", "a projection name, recorded at most once"},
        {"interval", "time", "none", "", ">= resolution, on the grid: also a snapshot every `interval`"},
    }});
    return s;
}

} // namespace

const std::vector<scenario_section>& scenario_sections() {
    static const std::vector<scenario_section> sections = make_sections();
    return sections;
}

const scenario_section& scenario_section_named(const std::string& name) {
    for (const auto& s : scenario_sections())
        if (s.name == name) return s;
    throw internal_error("no scenario section '" + name + "' in scenario_keys.cpp");
}

std::vector<std::string> scenario_key_names(const std::string& section) {
    std::vector<std::string> out;
    for (const auto& k : scenario_section_named(section).keys) out.push_back(k.name);
    return out;
}

std::string scenario_keys_markdown(const scenario_section& section) {
    bool kinds = false;
    for (const auto& k : section.keys) kinds = kinds || !k.kinds.empty();
    std::string out = kinds ? "| key | type | default | kinds | rule |\n|---|---|---|---|---|\n"
                            : "| key | type | default | rule |\n|---|---|---|---|\n";
    for (const auto& k : section.keys) {
        out += "| `" + k.name + "` | " + k.type + " | " + k.fallback + " | ";
        if (kinds) out += k.kinds + " | ";
        out += k.rule + " |\n";
    }
    return out;
}

} // namespace memspike
