#include <pcm/sample/pattern.hpp>

#include <regex.h>

#include <algorithm>
#include <stdexcept>

namespace pcm::sample {

namespace {

constexpr unsigned long max_count = 1000;        // one {m,n}
constexpr unsigned long max_expansion = 10'000;  // all counts multiplied: nested ones multiply

// The C library expands a{m} into m copies, so (a{1000}){1000} costs a second and
// hundreds of MiB to compile: bound every count, and their product.
std::optional<std::string> count_problem(std::string_view text) {
    unsigned long expansion = 1;
    for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        std::size_t close = text.find('}', open);
        if (close == std::string_view::npos) break;
        std::string_view inside = text.substr(open + 1, close - open - 1);
        if (inside.empty() || inside.find_first_not_of("0123456789,") != std::string_view::npos) continue;
        unsigned long largest = 0;
        for (std::size_t start = 0; start <= inside.size();) {
            std::size_t comma = std::min(inside.find(',', start), inside.size());
            std::string_view digits = inside.substr(start, comma - start);
            digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
            if (digits.size() > 4 || std::stoul("0" + std::string(digits)) > max_count)
                return "repetition counts above " + std::to_string(max_count) + " are not supported";
            largest = std::max(largest, std::stoul("0" + std::string(digits)));
            start = comma + 1;
        }
        expansion *= std::max(largest, 1UL);
        if (expansion > max_expansion)
            return "repetition counts multiplying past " + std::to_string(max_expansion) + " are not supported";
    }
    return std::nullopt;
}

// POSIX reads \d as a plain "d": refuse it rather than match something else silently.
std::optional<std::string> escape_problem(std::string_view text) {
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != '\\') continue;
        if (text[i + 1] == 'd' || text[i + 1] == 'D')
            return std::string("\\") + text[i + 1] + " is ECMAScript, not POSIX: write [0-9] (or [^0-9])";
        ++i;  // the escaped character is not itself an escape
    }
    return std::nullopt;
}

}  // namespace

// regex_t is compiled in place and freed in place: it never moves once compiled.
struct Pattern::Compiled {
    regex_t regex{};
    bool compiled = false;
    ~Compiled() {
        if (compiled) regfree(&regex);
    }
};

Pattern::Pattern() noexcept = default;
Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

namespace {

// Checks `text` and compiles it into `into`; the reason it is refused, or nothing.
std::optional<std::string> compile(const std::string& text, regex_t& into, bool& compiled) {
    if (auto p = escape_problem(text)) return p;
    if (auto p = count_problem(text)) return p;
    if (int rc = regcomp(&into, text.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
        char message[256];
        regerror(rc, &into, message, sizeof message);
        return std::string("is not a valid regular expression: ") + message;
    }
    compiled = true;
    return std::nullopt;
}

}  // namespace

std::optional<std::string> Pattern::problem(const std::string& text) {
    Compiled scratch;  // freed on return
    return compile(text, scratch.regex, scratch.compiled);
}

Pattern::Pattern(const std::string& text) {
    if (text.empty()) return;
    auto compiled = std::make_unique<Compiled>();
    if (auto p = compile(text, compiled->regex, compiled->compiled)) throw std::invalid_argument(*p);
    compiled_ = std::move(compiled);
}

bool Pattern::search(const std::string& text) const noexcept {
    return compiled_ != nullptr && regexec(&compiled_->regex, text.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace pcm::sample
