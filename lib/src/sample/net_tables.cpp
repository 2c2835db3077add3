#include <pcm/sample/net_tables.hpp>

#include <charconv>

namespace pcm::sample {
namespace {

bool parse_hex(std::string_view text, std::uint64_t& out) {
    if (text.empty() || text.size() > 16) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
    return ec == std::errc() && end == text.data() + text.size();
}

// Every line after the first (a header of column names).
template <class Body>
ParseStatus each_row(std::string_view text, Body body, const char* why) {
    return for_each_line(text, body, why, 1);
}

}  // namespace

ParseStatus parse_arp(std::string_view text, std::vector<NamedValue>& out) {
    std::size_t count = 0;
    ParseStatus status = each_row(
        text,
        [&](std::string_view line) {
            FieldReader fields(line);
            std::string_view column, device;
            for (int i = 0; i < 5; ++i)
                if (!fields.next(column)) return false;
            if (!fields.next(device) || !fields.rest().empty()) return false;
            for (std::size_t i = 0; i < count; ++i) {
                if (out[i].name != device) continue;
                ++out[i].value;
                return true;
            }
            if (count == out.size()) out.emplace_back();
            if (out[count].name != device) out[count].name.assign(device);
            out[count++].value = 1;
            return true;
        },
        "expected IP address, HW type, flags, HW address, mask and device");
    out.resize(count);
    return status;
}

ParseStatus parse_udp_queues(std::string_view text, UdpQueues& out) {
    UdpQueues sum;
    ParseStatus status = each_row(
        text,
        [&](std::string_view line) {
            FieldReader fields(line);
            std::string_view column;
            for (int i = 0; i < 5; ++i)  // sl, local, remote, st, then tx_queue:rx_queue
                if (!fields.next(column)) return false;
            std::size_t colon = column.find(':');
            std::uint64_t tx = 0, rx = 0;
            if (colon == std::string_view::npos || !parse_hex(column.substr(0, colon), tx) ||
                !parse_hex(column.substr(colon + 1), rx))
                return false;
            sum.tx += tx;
            sum.rx += rx;
            return true;
        },
        "expected a socket line with a tx_queue:rx_queue column");
    out = sum;
    return status;
}

}  // namespace pcm::sample
