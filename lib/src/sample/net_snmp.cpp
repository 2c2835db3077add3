#include <pcm/sample/net_snmp.hpp>

namespace pcm::sample {
namespace {

// Appends (or overwrites, at `count`) one value, reusing the strings already there.
void put(std::vector<ProtocolValue>& out, std::size_t& count, std::string_view protocol, std::string_view field,
         std::int64_t value) {
    if (count == out.size()) out.emplace_back();
    ProtocolValue& v = out[count++];
    if (v.protocol != protocol) v.protocol.assign(protocol);
    if (v.field != field) v.field.assign(field);
    v.value = value;
}

// "Tcp: a b c" -> "Tcp" and the fields after the colon.
bool split_prefix(std::string_view line, std::string_view& prefix, std::string_view& rest) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    prefix = line.substr(0, colon);
    rest = line.substr(colon + 1);
    return prefix.find_first_of(" \t") == std::string_view::npos;
}

// The values of a pair of lines whose names and numbers match one for one.
bool pair_matches(std::string_view names, std::string_view values) {
    FieldReader n(names), v(values);
    std::string_view name, value;
    std::int64_t number = 0;
    while (n.next(name)) {
        if (!v.next(value) || !parse_number(value, number)) return false;
    }
    return v.rest().empty();
}

}  // namespace

ParseStatus parse_net_snmp(std::string_view text, std::vector<ProtocolValue>& out) {
    ParseStatus status;
    std::size_t count = 0;
    LineReader lines(text);
    std::string_view names_line, values_line;
    while (lines.next(names_line)) {
        if (is_blank_line(names_line)) continue;
        std::string_view prefix, names, values_prefix, values;
        if (!lines.next(values_line) || !split_prefix(names_line, prefix, names) ||
            !split_prefix(values_line, values_prefix, values) || prefix != values_prefix ||
            !pair_matches(names, values)) {
            if (status)
                status = ParseStatus::fail(
                    "expected a line of names and a line of as many numbers, with the same prefix", lines.number());
            continue;
        }
        FieldReader n(names), v(values);
        std::string_view name, value;
        std::int64_t number = 0;
        while (n.next(name) && v.next(value) && parse_number(value, number)) put(out, count, prefix, name, number);
    }
    out.resize(count);
    return status;
}

ParseStatus parse_net_snmp6(std::string_view text, std::vector<ProtocolValue>& out) {
    std::size_t count = 0;
    ParseStatus status = for_each_line(
        text,
        [&](std::string_view line) {
            FieldReader fields(line);
            std::string_view key, value;
            std::int64_t number = 0;
            if (!fields.next(key) || !fields.next(value) || !parse_number(value, number) || !fields.rest().empty())
                return false;
            std::size_t six = key.find('6');
            if (six == std::string_view::npos || six == 0 || six + 1 == key.size()) return false;
            put(out, count, key.substr(0, six + 1), key.substr(six + 1), number);
            return true;
        },
        "expected a name such as Ip6InReceives and a number");
    out.resize(count);
    return status;
}

ParseStatus parse_sockstat(std::string_view text, std::vector<ProtocolValue>& out) {
    std::size_t count = 0;
    ParseStatus status = for_each_line(
        text,
        [&](std::string_view line) {
            std::string_view protocol, rest, field, value;
            std::int64_t number = 0;
            const std::size_t first = count;
            bool ok = split_prefix(line, protocol, rest);
            FieldReader fields(rest);
            while (ok && fields.next(field)) {
                ok = fields.next(value) && parse_number(value, number);
                if (ok) put(out, count, protocol, field, number);
            }
            if (!ok) count = first;  // none of a broken line
            return ok;
        },
        "expected PROTOCOL: followed by name and number pairs");
    out.resize(count);
    return status;
}

}  // namespace pcm::sample
