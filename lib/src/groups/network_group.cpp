#include "groups.hpp"

#include <pcm/sample/network_sampler.hpp>

namespace pcm::groups {
namespace {

using nlohmann::json;
using sample::NetDevCounters;

constexpr std::string_view figure_names[] = {"receive_bytes_per_s", "transmit_bytes_per_s", "errors_per_s",
                                             "drops_per_s"};

// node_exporter's netdev and netclass collectors.
metrics::Walk network_families(metrics::Writer& w, const sample::NetworkReading& reading) {
    const auto& interfaces = reading.interfaces;
    std::string& name = w.name;
    for (std::size_t f = 0; f < NetDevCounters::count; ++f) {
        std::string_view direction = f < NetDevCounters::transmit_bytes ? "receive_" : "transmit_";
        name = "node_network_";
        name += direction;
        name += sample::net_dev_field_names[f];
        w.help = "Network device statistic ";
        w.help += direction;
        w.help += sample::net_dev_field_names[f];
        w.help += '.';
        name += "_total";
        w.family(name, "counter", w.help);
        for (const sample::InterfaceEntry& i : interfaces) {
            w.sample(name, {{"device", i.line.name}}, static_cast<double>(i.line.counters.values[f]));
            if (w.step_full()) co_yield metrics::pause;
        }
    }
    w.family("node_network_receive_nohandler_total", "counter", "Network device statistic receive_nohandler.");
    for (const sample::InterfaceEntry& i : interfaces)
        if (i.net_class.receive_nohandler)
            w.sample("node_network_receive_nohandler_total", {{"device", i.line.name}},
                     static_cast<double>(*i.net_class.receive_nohandler));

    for (std::size_t a = 0; a < sample::net_class_numbers.size(); ++a) {
        const sample::NetClassNumber& attribute = sample::net_class_numbers[a];
        name = "node_network_";
        name += attribute.metric;
        w.help = "Network device property: ";
        w.help += attribute.metric;
        w.family(name, attribute.counter ? "counter" : "gauge", w.help);
        for (const sample::InterfaceEntry& i : interfaces) {
            if (const auto& value = i.net_class.numbers[a])
                w.sample(name, {{"device", i.line.name}}, static_cast<double>(*value) * attribute.scale);
            if (w.step_full()) co_yield metrics::pause;
        }
    }
    w.family("node_network_info", "gauge", "Non-numeric data from /sys/class/net/<iface>, value is always 1.");
    for (const sample::InterfaceEntry& i : interfaces) {
        const auto& t = i.net_class.texts;
        w.sample("node_network_info",
                 {{"address", t[0]},
                  {"broadcast", t[1]},
                  {"device", i.line.name},
                  {"duplex", t[2]},
                  {"ifalias", t[3]},
                  {"operstate", t[4]}},
                 1);
        if (w.step_full()) co_yield metrics::pause;
    }
    w.family("node_network_up", "gauge", "Value is 1 if operstate is 'up', 0 otherwise.");
    for (const sample::InterfaceEntry& i : interfaces)
        w.sample("node_network_up", {{"device", i.line.name}}, i.net_class.operstate() == "up" ? 1 : 0);
}

json counters_json(const NetDevCounters& c) {
    json out = json::object();
    for (std::size_t f = 0; f < NetDevCounters::count; ++f) {
        std::string key(f < NetDevCounters::transmit_bytes ? "receive_" : "transmit_");
        out[key.append(sample::net_dev_field_names[f])] = c.values[f];
    }
    return out;
}

json rates_json(const std::optional<sample::NetworkRates>& r) {
    if (!r) return nullptr;
    return {{"receive_bytes_per_s", r->receive_bytes_per_s},
            {"transmit_bytes_per_s", r->transmit_bytes_per_s},
            {"receive_packets_per_s", r->receive_packets_per_s},
            {"transmit_packets_per_s", r->transmit_packets_per_s},
            {"errors_per_s", r->errors_per_s},
            {"drops_per_s", r->drops_per_s}};
}

class NetworkGroup final : public monitor::GroupSampler {
public:
    explicit NetworkGroup(const config::Config& config)
        : sampler_(config.network, config.procfs_root, config.sysfs_root) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        double receive = 0, transmit = 0, errors = 0, drops = 0;
        bool any = false;
        for (const auto& i : sampler_.reading().interfaces) {
            if (!i.rates) continue;
            any = true;
            receive += i.rates->receive_bytes_per_s;
            transmit += i.rates->transmit_bytes_per_s;
            errors += i.rates->errors_per_s;
            drops += i.rates->drops_per_s;
        }
        if (any) values = {receive, transmit, errors, drops};
    }

    json data() const override {
        json list = json::array();
        for (const sample::InterfaceEntry& i : sampler_.reading().interfaces) {
            const sample::NetClass& c = i.net_class;
            auto number = [&](std::string_view file) { return optional_json(c.number(file)); };
            list.push_back({{"interface", i.line.name},
                            {"operstate", c.operstate()},
                            {"carrier", number("carrier")},
                            {"carrier_changes", number("carrier_changes")},
                            {"mtu", number("mtu")},
                            {"speed_mbps", number("speed")},
                            {"duplex", c.texts[2]},
                            {"address", c.texts[0]},
                            {"type", number("type")},
                            {"counters", counters_json(i.line.counters)},
                            {"rates", rates_json(i.rates)}});
        }
        return {{"interfaces", std::move(list)}};
    }

    void apply(const config::Config& config) override {
        sampler_.reconfigure(config.network, config.procfs_root, config.sysfs_root);
    }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::NetworkReading, network_families>>(
            sampler_.reading());
    }

private:
    sample::NetworkSampler sampler_;
};

}  // namespace

const monitor::GroupKind network_kind{monitor::Group::network, figure_names,
                                      [](const config::Config& c) { return c.network.interval; }, &make<NetworkGroup>};

}  // namespace pcm::groups
