#include "models/assignment.h"

#include <algorithm>
#include <cstddef>

namespace deliverysim::models {

std::vector<int> AssignPartitions(const std::vector<int>& current_owners,
                                  const std::vector<int>& live_members) {
  const std::size_t partitions = current_owners.size();
  std::vector<int> owners(partitions, kUnowned);
  if (live_members.empty()) return owners;

  // How many partitions each live member holds now.
  const std::size_t members = live_members.size();
  std::vector<std::size_t> held(members, 0);
  auto slot_of = [&](int member) -> std::ptrdiff_t {
    auto it = std::lower_bound(live_members.begin(), live_members.end(), member);
    if (it == live_members.end() || *it != member) return -1;
    return it - live_members.begin();
  };
  for (int owner : current_owners) {
    if (std::ptrdiff_t slot = slot_of(owner); slot >= 0) ++held[static_cast<std::size_t>(slot)];
  }

  // Shares: everyone gets partitions / members; the remainder goes to the biggest holders.
  std::vector<std::size_t> share(members, partitions / members);
  std::vector<std::size_t> by_holding(members);
  for (std::size_t i = 0; i < members; ++i) by_holding[i] = i;
  std::stable_sort(by_holding.begin(), by_holding.end(),
                   [&](std::size_t a, std::size_t b) { return held[a] > held[b]; });
  for (std::size_t i = 0; i < partitions % members; ++i) ++share[by_holding[i]];

  // Keep what fits in each share, lowest partitions first; free the rest.
  std::vector<std::size_t> taken(members, 0);
  for (std::size_t p = 0; p < partitions; ++p) {
    std::ptrdiff_t slot = slot_of(current_owners[p]);
    if (slot < 0) continue;
    auto s = static_cast<std::size_t>(slot);
    if (taken[s] < share[s]) {
      owners[p] = live_members[s];
      ++taken[s];
    }
  }

  // Hand the free partitions, lowest first, to members below their share, lowest first.
  std::size_t next = 0;
  for (std::size_t p = 0; p < partitions; ++p) {
    if (owners[p] != kUnowned) continue;
    while (taken[next] >= share[next]) ++next;
    owners[p] = live_members[next];
    ++taken[next];
  }
  return owners;
}

}  // namespace deliverysim::models
