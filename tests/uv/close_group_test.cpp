// Closing handles that live inside one object: the owner hears once, after the last.
#include "../async/loop_fixture.hpp"

#include <pcm/uv/close_group.hpp>

#include <doctest/doctest.h>

#include <memory>

namespace {

struct Owner {
    uv_timer_t first{}, second{};
    uv_pipe_t pipe{};
    pcm::uv::CloseGroup closer;
    int* closed_calls = nullptr;
};

void count_closed(void* owner) { ++*static_cast<Owner*>(owner)->closed_calls; }

}  // namespace

TEST_CASE("a close group calls back once, after libuv has closed every handle, and a second close does nothing") {
    pcm::test::LoopFixture fx;
    int closed = 0;
    auto owner = std::make_unique<Owner>();
    owner->closed_calls = &closed;
    uv_timer_init(fx.loop.get(), &owner->first);
    uv_timer_init(fx.loop.get(), &owner->second);
    uv_pipe_init(fx.loop.get(), &owner->pipe, 0);
    uv_timer_start(
        &owner->first, [](uv_timer_t*) { FAIL("a closed timer fired"); }, 0, 0);

    CHECK_FALSE(owner->closer.closing());
    owner->closer.close(&count_closed, owner.get(), &owner->first, &owner->second, &owner->pipe);
    CHECK(owner->closer.closing());
    owner->closer.close(&count_closed, owner.get(), &owner->first);  // ignored: already closing
    CHECK(closed == 0);  // libuv still holds the handles: the owner must stay
    CHECK(uv_is_closing(reinterpret_cast<uv_handle_t*>(&owner->pipe)));
    fx.run_until([&] { return closed > 0; }, "the close callbacks");
    CHECK(closed == 1);
    owner.reset();  // now it may go (ASan would see a use after free otherwise)
    uv_run(fx.loop.get(), UV_RUN_NOWAIT);
    CHECK(closed == 1);
}
