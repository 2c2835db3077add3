#include <pcm/sample/network_reading.hpp>

namespace pcm::sample {

std::optional<NetworkRates> network_rates(const NetDevCounters& before, const NetDevCounters& after,
                                          double seconds) noexcept {
    if (seconds <= 0) return std::nullopt;
    for (std::size_t i = 0; i < NetDevCounters::count; ++i)
        if (after.values[i] < before.values[i]) return std::nullopt;
    auto per_s = [&](NetDevCounters::Field f) { return static_cast<double>(after[f] - before[f]) / seconds; };
    using F = NetDevCounters;
    NetworkRates r;
    r.receive_bytes_per_s = per_s(F::receive_bytes);
    r.transmit_bytes_per_s = per_s(F::transmit_bytes);
    r.receive_packets_per_s = per_s(F::receive_packets);
    r.transmit_packets_per_s = per_s(F::transmit_packets);
    r.errors_per_s = per_s(F::receive_errs) + per_s(F::transmit_errs);
    r.drops_per_s = per_s(F::receive_drop) + per_s(F::transmit_drop);
    return r;
}

}  // namespace pcm::sample
