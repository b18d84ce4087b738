// SPDX-License-Identifier: MIT
// The machine side of the resource check (resource_estimate.hpp): available memory (the kernel's
// MemAvailable and the cgroup's limit, whichever is smaller: a container sees the host's
// meminfo), free disk at the output's directory, the refusal, and the printed summary.
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "memspike/core/resource_estimate.hpp"

namespace memspike {

namespace {

/// The first number in a one-line file ("max" or a missing file: -1).
double read_number(const std::string& path) {
    std::ifstream in(path);
    std::string word;
    if (!(in >> word) || word == "max") return -1;
    try {
        return std::stod(word);
    } catch (const std::exception&) {
        return -1;
    }
}

/// MemAvailable from /proc/meminfo [bytes], or -1.
double mem_available() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kib = 0;
    std::string unit;
    while (in >> key >> kib) {
        std::getline(in, unit);
        if (key == "MemAvailable:") return kib * 1024.0;
    }
    return -1;
}

/// The directory of this process's cgroup under `mount` for the hierarchy whose /proc/self/cgroup
/// line has `controllers` ("" for v2's "0::/path", "memory" for v1), when it exists; else the
/// mount itself (inside a container the process's cgroup is usually mounted there).
std::string cgroup_dir(const std::string& mount, const std::string& controllers) {
    std::ifstream in("/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        const auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        const std::string ctl = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctl != controllers && !(controllers == "memory" && ctl.find("memory") != std::string::npos)) continue;
        std::error_code ec;
        if (path != "/" && std::filesystem::is_directory(mount + path, ec)) return mount + path;
    }
    return mount;
}

/// Room left under the cgroup's memory limit [bytes] (limit - usage), or -1 when unlimited.
/// cgroup v2 first (memory.max), then v1 (memory.limit_in_bytes).
double cgroup_room(double& limit) {
    const std::string v2 = cgroup_dir("/sys/fs/cgroup", "");
    limit = read_number(v2 + "/memory.max");
    double used = read_number(v2 + "/memory.current");
    if (limit < 0) {
        const std::string v1 = cgroup_dir("/sys/fs/cgroup/memory", "memory");
        limit = read_number(v1 + "/memory.limit_in_bytes");
        used = read_number(v1 + "/memory.usage_in_bytes");
        if (limit >= 1e18) limit = -1;  // v1 says "unlimited" with a huge number
    }
    if (limit < 0) return -1;
    return std::max(0.0, limit - std::max(0.0, used));
}

std::string fixed(double v, int digits) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << v;
    return os.str();
}

/// Counts for the summary: "12,500" below a million, "1.25e+09" above.
std::string count(double v) {
    if (v < 1e6) return fixed(v, 0);
    std::ostringstream os;
    os << std::setprecision(3) << v;
    return os.str();
}

}  // namespace

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 6) {
        bytes /= 1024.0;
        ++u;
    }
    if (u == 6 && bytes >= 1024.0) {
        std::ostringstream os;
        os << std::setprecision(3) << bytes << " EiB";
        return os.str();
    }
    return fixed(bytes, u == 0 ? 0 : 1) + " " + units[u];
}

host_resources query_host_resources(const std::string& output) {
    host_resources h;
    const double avail = mem_available();
    double limit = -1;
    const double room = cgroup_room(limit);
    if (avail >= 0) {
        h.memory_bytes = avail;
        h.memory_source = "MemAvailable in /proc/meminfo";
    }
    if (room >= 0 && (h.memory_bytes < 0 || room < h.memory_bytes)) {
        h.memory_bytes = room;
        h.memory_source = "room left under the cgroup memory limit of " + format_bytes(limit);
    }
    if (!output.empty()) {
        std::error_code ec;
        std::filesystem::path dir = std::filesystem::absolute(output, ec).parent_path();
        struct statvfs fs {};
        if (!ec && statvfs(dir.c_str(), &fs) == 0) {
            h.disk_bytes = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
            h.disk_path = dir.string();
        }
    }
    return h;
}

void check_resources(const resource_estimate& e, const host_resources& host, const std::string& override_hint) {
    if (host.memory_bytes >= 0 && e.peak_bytes > host.memory_bytes)
        throw resource_error("not enough memory: the network needs an estimated " + format_bytes(e.peak_bytes) +
                             " at its peak (" + count(e.neurons) + " neurons, " + count(e.synapses) +
                             " synapses), but " + format_bytes(host.memory_bytes) + " are available (" +
                             host.memory_source + "); make the scenario smaller, or " + override_hint);
    if (host.disk_bytes >= 0 && e.output_bytes > host.disk_bytes)
        throw resource_error("not enough disk: the output will take at least an estimated " +
                             format_bytes(e.output_bytes) + " before compression (" + count(e.ticks) +
                             " ticks), but " + format_bytes(host.disk_bytes) + " are free in '" + host.disk_path +
                             "'; record less or shorten simulation.duration, or " + override_hint);
}

void check_sweep_resources(const std::vector<resource_estimate>& points, unsigned concurrent, const host_resources& host,
                           const std::string& override_hint) {
    if (host.memory_bytes < 0 || points.empty()) return;
    std::vector<double> own;  // each point's peak above the process it shares
    double baseline = 0, outputs = 0;
    for (const auto& e : points) {
        baseline = std::max(baseline, e.baseline_bytes);
        own.push_back(std::max(0.0, e.peak_bytes - e.baseline_bytes));
        outputs += e.output_bytes;
    }
    const std::size_t k = std::clamp<std::size_t>(concurrent, 1, own.size());
    std::partial_sort(own.begin(), own.begin() + static_cast<std::ptrdiff_t>(k), own.end(), std::greater<>());
    double running = 0;
    for (std::size_t i = 0; i < k; ++i) running += own[i];
    const double need = baseline + running + outputs;
    if (need <= host.memory_bytes) return;
    throw resource_error("not enough memory for the sweep: " + count(static_cast<double>(points.size())) + " points, " +
                         count(static_cast<double>(k)) + " at a time, need an estimated " + format_bytes(need) + " (" +
                         format_bytes(running) + " for the " + count(static_cast<double>(k)) +
                         " largest points running together, " + format_bytes(outputs) +
                         " for every point's recorded output, which stays in memory until the sweep returns), but " +
                         format_bytes(host.memory_bytes) + " are available (" + host.memory_source +
                         "); run fewer points at a time (threads), record less, or " + override_hint);
}

std::string format_resource_estimate(const resource_estimate& e) {
    std::ostringstream os;
    os << "estimate: " << count(e.neurons) << " neurons, " << count(e.synapses) << " synapses";
    if (!e.unknown_synapses.empty()) {
        os << " (not counted: projection";
        for (const auto& p : e.unknown_synapses) os << " " << p;
        os << ")";
    }
    os << ", " << count(e.ticks) << " ticks\n";
    os << "  memory: peak " << format_bytes(e.peak_bytes) << ", running " << format_bytes(e.steady_bytes) << " (";
    bool first = true;
    for (const auto& it : e.memory) {
        const double b = std::max(it.steady_bytes, it.build_bytes);
        if (b < 1024.0 * 1024.0) continue;  // the small items would only clutter the line
        os << (first ? "" : ", ") << it.what << " " << format_bytes(b);
        first = false;
    }
    os << ")\n";
    os << "  events: " << count(e.stimulus_events) << " stimulus, " << count(e.source_spikes) << " source spikes";
    if (e.neuron_spikes_max > 0) os << ", at most " << count(e.neuron_spikes_max) << " neuron spikes";
    os << ", " << count(e.synaptic_events) << " synaptic from sources";
    if (e.synaptic_events_max > e.synaptic_events) os << " (at most " << count(e.synaptic_events_max) << " in all)";
    os << "\n";
    os << "  output: at least " << format_bytes(e.output_bytes) << ", at most " << format_bytes(e.output_max_bytes)
       << " before compression (";
    first = true;
    for (const auto& o : e.output) {
        if (o.max_bytes <= 0) continue;
        os << (first ? "" : ", ") << o.what << " " << format_bytes(o.max_bytes);
        first = false;
    }
    os << ")\n";
    return os.str();
}

}  // namespace memspike
