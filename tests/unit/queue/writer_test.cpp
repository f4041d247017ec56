#include "queue/writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include "queue/queue_store.h"
#include "temp_dir.h"

using namespace postern;

TEST(Writer, GroupCommitsConcurrentJobsAndIsolatesFailures) {
  std::string dir = postern::test::make_temp_dir("q");
  {
    store::Db db(dir + "/t.db");
    db.exec("CREATE TABLE t (v INTEGER)");
  }
  queue::Writer w(dir + "/t.db");
  std::vector<std::future<void>> futures;
  for (int i = 0; i < 200; ++i)
    futures.push_back(w.submit([i](store::Db& db) {
      if (i == 7) throw std::runtime_error("job 7 fails");
      db.prepare("INSERT INTO t VALUES (?)").bind(1, int64_t(i)).run();
    }));
  int failed = 0;
  for (auto& f : futures) {
    try {
      f.get();
    } catch (const std::runtime_error&) {
      ++failed;
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_LT(w.batches(), 200u);  // jobs submitted together share commits
  store::Db check(dir + "/t.db");
  auto st = check.prepare("SELECT count(*) FROM t");
  st.step();
  EXPECT_EQ(st.integer(0), 199);
}

TEST(QueueStore, EnqueueListDeliver) {
  std::string dir = postern::test::make_temp_dir("qs");
  queue::QueueStore q(dir);
  queue::Message m;
  m.id = "Q1";
  m.sender = "a@b.test";
  m.body = "Subject: x\r\n\r\nhi\r\n";
  m.recipients = {{"u@example.test", "u@example.test", queue::Route::Local, "u@example.test", "", ""},
                  {"far@away.test", "far@away.test", queue::Route::Remote, "", "direct", ""}};
  q.enqueue(m).get();
  auto local = q.due(queue::Route::Local, 4102444800, 10);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].mailbox, "u@example.test");
  EXPECT_EQ(*q.body("Q1"), m.body);
  q.mark_delivered({local[0].id}).get();
  EXPECT_EQ(q.list().size(), 1u);
  EXPECT_TRUE(q.body("Q1"));  // the remote recipient still needs it
  auto remote = q.due(queue::Route::Remote, 4102444800, 10);
  q.mark_delivered({remote[0].id}).get();
  EXPECT_FALSE(q.body("Q1"));
}

// The runner finds new mail by asking for envelopes newer than the last it saw: that needs
// ids that are never given again, even after the newest envelopes left a drained queue.
TEST(QueueStore, EnvelopeIdsOnlyGrowSoNewMailIsFoundAfterTheLastSeen) {
  std::string dir = postern::test::make_temp_dir("qid");
  queue::QueueStore q(dir);
  auto message = [](const std::string& id, const std::string& rcpt) {
    queue::Message m;
    m.id = id;
    m.sender = "a@b.test";
    m.body = "Subject: x\r\n\r\nhi\r\n";
    m.recipients = {{rcpt, rcpt, queue::Route::Remote, "", "direct", ""}};
    return m;
  };
  const int64_t later = 4102444800;
  EXPECT_EQ(q.last_envelope_id(), 0);
  q.enqueue(message("Q1", "one@away.test")).get();
  auto first = q.due(queue::Route::Remote, later, 10);
  ASSERT_EQ(first.size(), 1u);
  int64_t seen = q.last_envelope_id();
  EXPECT_EQ(seen, first[0].id);
  q.mark_delivered({first[0].id}).get();  // the queue is empty again
  EXPECT_EQ(q.last_envelope_id(), seen);
  q.enqueue(message("Q2", "two@away.test")).get();
  auto fresh = q.due_after(queue::Route::Remote, seen, later, 10);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_GT(fresh[0].id, seen);
  EXPECT_EQ(fresh[0].recipient, "two@away.test");
  EXPECT_TRUE(q.due_after(queue::Route::Remote, fresh[0].id, later, 10).empty());
  EXPECT_TRUE(q.due_after(queue::Route::Local, seen, later, 10).empty());
}
