// Links between named components. Every interaction between components travels as a Packet
// over the one-way link from sender to receiver, which may delay, lose or duplicate it.
//
// A link keeps first-in first-out order, as a TCP connection does: a packet never overtakes
// one sent before it on the same link, whatever latencies were drawn. A duplicated packet
// arrives right after its original.
//
//   std::uint32_t slot = network.NewPacket();
//   network.packet(slot).type = PacketType::kFetch;
//   network.Send(link, slot);              // `link` from network.Connect(...)
//   ...  // the receiver gets Event{kind = kPacketArrived, arg = slot} and calls Release(slot)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/packet.h"
#include "models/scenario.h"
#include "sim/distribution.h"
#include "sim/engine.h"
#include "sim/pool.h"
#include "sim/random.h"
#include "sim/trace.h"

namespace deliverysim::models {

// The event kind a component receives when a packet arrives; arg is the packet's slot.
inline constexpr std::uint32_t kPacketArrived = 0;

using LinkId = std::uint32_t;

class Network {
 public:
  Network(sim::Engine& engine, std::uint64_t seed, const NetworkConfig& config,
          sim::TraceSink* trace);

  // The link from `from_name` to the component `to`, created on first use with the settings
  // the scenario gives that pair (or the network's defaults).
  LinkId Connect(const std::string& from_name, const std::string& to_name, sim::ComponentId to);

  std::uint32_t NewPacket();
  Packet& packet(std::uint32_t slot) { return packets_[slot]; }
  void Release(std::uint32_t slot) { packets_.Release(slot); }

  // Hands the packet to the link; the network owns it until it arrives or is lost.
  void Send(LinkId link, std::uint32_t slot);

  // Adds a fault's loss, duplication and delay to a link until RemoveFault with the same
  // values. Faults on one link add up.
  void AddFault(LinkId link, const LinkFault& fault);
  void RemoveFault(LinkId link, const LinkFault& fault);

  // The links whose endpoints match `from` and `to`; a name matches a component's own name or,
  // for consumer instances, the group they belong to (see SetGroupOf).
  std::vector<LinkId> Find(const std::string& from, const std::string& to) const;

  // Records that `instance` belongs to `group`, so that faults may name the group.
  void SetGroupOf(const std::string& instance, const std::string& group);

  std::uint64_t lost() const { return lost_; }
  std::uint64_t duplicated() const { return duplicated_; }

 private:
  struct Link {
    std::string from;
    std::string to;
    std::string name;  // "from->to", also its random stream's name
    sim::ComponentId target;
    sim::Distribution latency;
    double loss;
    double duplicate;
    std::vector<const LinkFault*> faults;  // active windows, in the order they started
    sim::RandomStream random;
    sim::Time last_arrival = 0;  // keeps the link first-in first-out
  };

  sim::Time Deliver(Link& link, std::uint32_t slot, sim::Time earliest);
  void TraceLoss(const Link& link, const Packet& packet);
  bool NameMatches(const std::string& pattern, const std::string& name) const;

  sim::Engine& engine_;
  std::uint64_t seed_;
  const NetworkConfig& config_;
  sim::TraceSink* trace_;
  std::vector<Link> links_;
  std::vector<std::pair<std::string, std::string>> group_of_;
  sim::Pool<Packet> packets_;
  std::uint64_t lost_ = 0;
  std::uint64_t duplicated_ = 0;
};

}  // namespace deliverysim::models
