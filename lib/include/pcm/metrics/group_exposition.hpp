#pragma once
// A group's share of the exposition text: a copy of its latest reading, taken at one
// moment so that a render in steps describes one sample while the monitor samples on.
#include <pcm/metrics/exposition_writer.hpp>

namespace pcm::metrics {

/// Made by the group's sampler (`GroupSampler::exposition`), which it refers to.
class GroupExposition {
public:
    virtual ~GroupExposition() = default;
    /// Copies the sampler's latest reading; copy-assignment, so nothing is allocated once
    /// the same CPUs, devices, mounts or interfaces come back.
    virtual void take() = 0;
    /// Writes the copied reading's families, pausing where the writer's step is full.
    virtual Walk write(Writer& writer) const = 0;
};

/// The usual exposition: a copy of a reading of type `Reading`, written by `families`.
template <class Reading, Walk (*families)(Writer&, const Reading&)>
class ReadingExposition final : public GroupExposition {
public:
    explicit ReadingExposition(const Reading& live) : live_(live) {}
    void take() override { copy_ = live_; }
    Walk write(Writer& writer) const override { return families(writer, copy_); }

private:
    const Reading& live_;
    Reading copy_;
};

}  // namespace pcm::metrics
