#include "capture.hpp"

#include <pcm/async/object_pool.hpp>
#include <pcm/async/pooled_completion_source.hpp>

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace pcm::async;

TEST_CASE("the pool keeps at most its bound and counts what it does") {
    ObjectPool<int> pool(3);
    std::vector<ObjectPool<int>::Lease> out;
    for (int i = 0; i < 5; ++i) out.push_back(pool.rent());
    CHECK(pool.counters().created == 5);
    CHECK(pool.counters().rented == 5);
    out.clear();  // five come back, three are kept
    PoolCounters after = pool.counters();
    CHECK(after.returned == 5);
    CHECK(after.dropped == 2);

    for (int i = 0; i < 3; ++i) out.push_back(pool.rent());
    CHECK(pool.counters().created == 5);  // all three came from the pool
    out.push_back(pool.rent());
    CHECK(pool.counters().created == 6);
}

TEST_CASE("a policy can refuse an object on return") {
    struct OnlyEven {
        std::unique_ptr<int> create() { return std::make_unique<int>(0); }
        bool on_return(int& value) { return value % 2 == 0; }
    };
    ObjectPool<int, OnlyEven> pool(4, OnlyEven{});
    {
        auto odd = pool.rent();
        *odd = 1;
    }
    CHECK(pool.counters().dropped == 1);
    { auto even = pool.rent(); }
    CHECK(pool.counters().dropped == 1);
    CHECK(pool.counters().created == 2);
}

namespace {
using PooledSource = PooledCompletionSource<int>;
using SourcePool = PooledSource::Pool;
}  // namespace

TEST_CASE("a source returned in after_consumed is handed out again with a new version") {
    SourcePool pool(4);
    PooledSource* first = pool.rent().release();
    first->pool = &pool;
    Token first_token = first->current_version();
    ValueTask<int> task = first->create_task();
    first->try_set_result(10);
    CHECK(task.get() == 10);
    CHECK(pool.counters().returned == 1);

    PooledSource* again = pool.rent().release();
    CHECK(again == first);
    CHECK(again->current_version() == first_token + 1);
    ValueTask<int> stale(*again, first_token);
    CHECK_THROWS_AS(stale.get(), invalid_operation);
    pool.give_back(again);
    PoolCounters counters = pool.counters();
    CHECK(counters.rented == counters.returned);
}

TEST_CASE("renting and returning from many threads keeps the counters balanced") {
    ObjectPool<std::vector<int>> pool(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                auto a = pool.rent();
                auto b = pool.rent();
                a->push_back(i);
            }
        });
    for (auto& t : threads) t.join();
    PoolCounters c = pool.counters();
    CHECK(c.rented == 40'000);
    CHECK(c.returned == 40'000);
    CHECK(c.created - c.dropped <= 8);
}
