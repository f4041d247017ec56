// TLS reporting wired to a data folder (TLS-4): the recorder the delivery agent feeds, and
// the reporter that queues the reports, with the routing and queue of the process that
// holds it (the daemon, or `postern tlsrpt send`).
// Collaborators: tlsrpt::Recorder and Reporter, dkim::KeyStore + Signer, policy::Engine
// (routes report recipients as bounces are routed), queue::QueueStore.
// Error contract: send() throws on database or queue failures; per-domain outcomes are in
// its result.
// Threading: record() from any thread; send() calls are serialised here.
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "daemon/data_dir.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "dns/resolver.h"
#include "policy/engine.h"
#include "queue/queue_store.h"
#include "store/directory.h"
#include "tlsrpt/recorder.h"
#include "tlsrpt/reporter.h"

namespace postern::daemon {

class TlsReports {
 public:
  TlsReports(const DataDir& dir, dns::Resolver& dns, policy::Engine& policy, store::Directory& directory,
             queue::QueueStore& queue, const dkim::Signer& signer, std::function<config::SnapshotPtr()> config,
             std::function<void()> queued);

  tlsrpt::Recorder& recorder() { return recorder_; }
  std::vector<tlsrpt::DomainResult> send(const std::string& day, bool again);

 private:
  std::function<config::SnapshotPtr()> config_;
  std::function<void()> queued_;
  tlsrpt::Recorder recorder_;
  dkim::KeyStore keys_;
  tlsrpt::Reporter reporter_;
  std::mutex mu_;
};

}  // namespace postern::daemon
