#include <pcm/async/loop_source.hpp>

#include <cstdio>
#include <cstdlib>

namespace pcm::async::detail {

void loop_affinity_violated(const char* what) noexcept {
    std::fprintf(stderr, "pcm: %s called off its loop's thread (a loop-affine source)\n", what);
    std::abort();
}

}  // namespace pcm::async::detail
