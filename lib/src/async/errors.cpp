#include <pcm/async/manual_reset_source_core.hpp>

#include <string>

namespace pcm::async::detail {

std::string stale_token_message(Token given, Token current) {
    return "stale token " + std::to_string(given) + " (current operation is " + std::to_string(current) +
           "): awaited twice, or after the source was reused";
}

}  // namespace pcm::async::detail
