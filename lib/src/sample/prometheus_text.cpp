#include <pcm/sample/prometheus_text.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

namespace pcm::sample {
namespace {

bool name_start(char c, bool colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
bool name_char(char c, bool colon) { return name_start(c, colon) || (c >= '0' && c <= '9'); }

bool valid_name(std::string_view name, bool colon) {
    if (name.empty() || !name_start(name.front(), colon)) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return name_char(c, colon); });
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view skip_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    return s;
}

std::string_view next_token(std::string_view& s) {
    s = skip_blanks(s);
    std::size_t end = 0;
    while (end < s.size() && !is_blank(s[end])) ++end;
    std::string_view token = s.substr(0, end);
    s.remove_prefix(end);
    return token;
}

// Go's ParseFloat, as the text format uses it: decimal, exponent, and Inf/NaN in any case.
bool parse_value(std::string_view text, double& out) {
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    auto lower_equals = [&](std::string_view word) {
        if (text.size() != word.size()) return false;
        for (std::size_t i = 0; i < word.size(); ++i)
            if ((text[i] | 0x20) != word[i]) return false;
        return true;
    };
    if (lower_equals("inf") || lower_equals("infinity")) {
        out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        return true;
    }
    if (lower_equals("nan")) {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (text.empty() || !((text.front() >= '0' && text.front() <= '9') || text.front() == '.')) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
    if (negative) out = -out;
    return true;
}

// HELP text: backslash escapes \\ and \n.
std::string unescape_help(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
            out += text[++i] == 'n' ? '\n' : '\\';
        } else {
            out += text[i];
        }
    }
    return out;
}

// {name="value",...} at the start of `s`; consumes it.
bool parse_labels(std::string_view& s, std::vector<std::pair<std::string, std::string>>& labels) {
    s.remove_prefix(1);  // '{'
    for (;;) {
        s = skip_blanks(s);
        if (s.empty()) return false;
        if (s.front() == '}') {
            s.remove_prefix(1);
            return true;
        }
        std::size_t equals = s.find('=');
        if (equals == std::string_view::npos) return false;
        std::string_view name = s.substr(0, equals);
        while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
        if (!valid_name(name, false)) return false;
        s.remove_prefix(equals + 1);
        s = skip_blanks(s);
        if (s.empty() || s.front() != '"') return false;
        s.remove_prefix(1);
        std::string value;
        bool closed = false;
        while (!s.empty()) {
            char c = s.front();
            s.remove_prefix(1);
            if (c == '"') {
                closed = true;
                break;
            }
            if (c == '\\') {
                if (s.empty()) return false;
                char e = s.front();
                s.remove_prefix(1);
                if (e == 'n') value += '\n';
                else if (e == '\\' || e == '"') value += e;
                else return false;
            } else {
                value += c;
            }
        }
        if (!closed) return false;
        for (const auto& existing : labels)
            if (existing.first == name) return false;  // a label twice in one series
        labels.emplace_back(std::string(name), std::move(value));
        s = skip_blanks(s);
        if (!s.empty() && s.front() == ',') s.remove_prefix(1);
        else if (s.empty() || s.front() != '}') return false;
    }
}

bool belongs(const TextFamily& family, std::string_view sample) {
    if (sample == family.name) return true;
    if (!sample.starts_with(family.name)) return false;
    std::string_view suffix = sample.substr(family.name.size());
    if (family.type == "histogram") return suffix == "_bucket" || suffix == "_sum" || suffix == "_count";
    if (family.type == "summary") return suffix == "_sum" || suffix == "_count";
    return false;
}

class Parser {
public:
    explicit Parser(std::vector<TextFamily>& out) : out_(out) { out_.clear(); }

    const char* line(std::string_view line) {
        if (line.ends_with('\r')) line.remove_suffix(1);
        std::string_view rest = skip_blanks(line);
        if (rest.empty()) return nullptr;
        if (rest.front() == '#') return comment(rest.substr(1));
        return sample(rest);
    }

private:
    const char* comment(std::string_view rest) {
        std::string_view keyword = next_token(rest);
        if (keyword != "HELP" && keyword != "TYPE") return nullptr;  // any other comment
        std::string_view name = next_token(rest);
        if (!valid_name(name, true)) return "invalid metric name in HELP or TYPE";
        TextFamily* family = family_for_declaration(name);
        if (family == nullptr) return "a second HELP or TYPE for a family, or a family whose lines are not together";
        if (keyword == "HELP") {
            if (help_seen_) return "a second HELP for a family";
            help_seen_ = true;
            family->help = unescape_help(skip_blanks(rest));
            return nullptr;
        }
        if (type_seen_) return "a second TYPE for a family";
        if (!family->samples.empty()) return "TYPE after the family's samples";
        std::string_view type = next_token(rest);
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped")
            return "unknown metric type";
        if (!skip_blanks(rest).empty()) return "text after the type";
        type_seen_ = true;
        family->type.assign(type);
        return nullptr;
    }

    // The family a HELP or TYPE line for `name` describes: the current one, or a new one.
    TextFamily* family_for_declaration(std::string_view name) {
        if (!out_.empty() && out_.back().name == name) return &out_.back();
        if (seen(name)) return nullptr;
        start(name);
        return &out_.back();
    }

    const char* sample(std::string_view rest) {
        std::size_t end = 0;
        while (end < rest.size() && rest[end] != '{' && !is_blank(rest[end])) ++end;
        std::string_view name = rest.substr(0, end);
        rest.remove_prefix(end);
        if (!valid_name(name, true)) return "invalid metric name";
        TextSample s;
        s.name.assign(name);
        if (!rest.empty() && rest.front() == '{' && !parse_labels(rest, s.labels)) return "malformed labels";
        if (rest.empty() || !is_blank(rest.front())) return "expected a blank and a value after the name";
        if (!parse_value(next_token(rest), s.value)) return "the value is not a number";
        if (!next_token(rest).empty()) return "a timestamp (client-side timestamps are not allowed in textfiles)";
        if (out_.empty() || !belongs(out_.back(), name)) {
            if (seen(name)) return "a family whose lines are not together";
            start(name);
        }
        std::string key = s.name;
        std::vector<std::pair<std::string, std::string>> sorted = s.labels;
        std::sort(sorted.begin(), sorted.end());
        for (const auto& [label, value] : sorted) key.append("\x1f").append(label).append("\x1e").append(value);
        if (!series_.insert(std::move(key)).second) return "the same series twice";
        out_.back().samples.push_back(std::move(s));
        return nullptr;
    }

    bool seen(std::string_view name) const {
        return std::any_of(out_.begin(), out_.end(),
                           [&](const TextFamily& f) { return belongs(f, name) || f.name == name; });
    }

    void start(std::string_view name) {
        out_.emplace_back();
        out_.back().name.assign(name);
        help_seen_ = type_seen_ = false;
    }

    std::vector<TextFamily>& out_;
    std::set<std::string> series_;
    bool help_seen_ = false, type_seen_ = false;
};

}  // namespace

ParseStatus parse_prometheus_text(std::string_view text, std::vector<TextFamily>& out) {
    Parser parser(out);
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        if (const char* why = parser.line(line)) {
            out.clear();
            return ParseStatus::fail(why, lines.number());
        }
    }
    return {};
}

}  // namespace pcm::sample
