#include "progress_text.h"

#include <cstdio>

#include "migrate/redact.h"

namespace migrate::cli {
namespace {

// "d of t (p%)" when the total is known, "" otherwise.
std::string OutOf(const char* what, long long done, long long total) {
  if (total <= 0 || done < 0) return "";
  return std::string(what) + " " + std::to_string(done) + " of " + std::to_string(total) + " (" +
         std::to_string(done * 100 / total) + "%)";
}

std::string Blockers(const StatementProgress& p) {
  const Blocker& b = p.blockers.front();
  std::string text = "waiting for a lock held by pid " + std::to_string(b.pid);
  if (b.held_s >= 0) text += " for " + FormatElapsed(b.held_s * 1000);
  std::string why = b.state;
  if (!p.waiting_for.empty()) why += (why.empty() ? "wants " : "; wants ") + p.waiting_for;
  if (!why.empty()) text += " (" + why + ")";
  if (p.blockers.size() > 1) text += " and " + std::to_string(p.blockers.size() - 1) + " more";
  return text;
}

// The first `width` code points of `text`.
std::string Cut(const std::string& text, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts_point = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_point && points++ == width) return text.substr(0, i);
  }
  return text;
}

Event StepJson(const char* event, const Step& step) {
  return {{"event", event},
          {"version", step.version},
          {"slug", step.slug},
          {"direction", DirectionName(step.direction)}};
}

Event ProgressJson(const StatementProgress& p) {
  auto text = [](const std::string& s) { return s.empty() ? Event(nullptr) : Event(s); };
  auto count = [](long long n) { return n < 0 ? Event(nullptr) : Event(n); };
  Event blockers = Event::array();
  for (const Blocker& b : p.blockers) {
    blockers.push_back({{"pid", b.pid},
                        {"held_s", count(b.held_s)},
                        {"query_start", text(b.query_start)},
                        {"state", text(b.state)}});
  }
  return {{"state", text(p.state)},
          {"phase", text(p.phase)},
          {"blocks_done", count(p.blocks_done)},
          {"blocks_total", count(p.blocks_total)},
          {"tuples_done", count(p.tuples_done)},
          {"tuples_total", count(p.tuples_total)},
          {"wait_event_type", text(p.wait_event_type)},
          {"wait_event", text(p.wait_event)},
          {"waiting_for", text(p.waiting_for)},
          {"blockers", blockers}};
}

}  // namespace

std::string FormatElapsed(long long ms) {
  char buf[48];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lld ms", ms);
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%lld.%lld s", ms / 1000, ms % 1000 / 100);
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", ms / 60'000, ms % 60'000 / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", ms / 3'600'000, ms % 3'600'000 / 60'000);
  }
  return buf;
}

std::string DescribeProgress(const StatementProgress& p) {
  std::string text = p.phase;
  for (const std::string& count : {OutOf("blocks", p.blocks_done, p.blocks_total),
                                   OutOf("tuples", p.tuples_done, p.tuples_total)}) {
    if (!count.empty()) text += (text.empty() ? "" : ", ") + count;
  }
  if (!p.blockers.empty()) {
    text += (text.empty() ? "" : "; ") + Blockers(p);
  } else if (text.empty() && !p.wait_event_type.empty()) {
    text = "waiting: " + p.wait_event_type + "/" + p.wait_event;
  }
  return text;
}

std::string LiveLine(const Tick& tick, bool dry_run, std::size_t width) {
  const char* word = dry_run                                 ? "rehearsing"
                     : tick.step.direction == Direction::kUp ? "applying "
                                                             : "reverting";
  std::string line = "  " + std::string(word) + " " + tick.step.version + "  " + tick.step.slug +
                     "  " + FormatElapsed(tick.elapsed_ms);
  if (tick.progress) {
    std::string said = DescribeProgress(*tick.progress);
    if (!said.empty()) line += "  " + said;
  }
  return Cut(line, width);
}

Event StartedEvent(const Step& step) {
  Event e = StepJson("started", step);
  e["file"] = step.file;
  e["transactional"] = step.transactional;
  return e;
}

Event ProgressEvent(const Tick& tick) {
  Event e{{"event", "progress"},
          {"version", tick.step.version},
          {"slug", tick.step.slug},
          {"direction", DirectionName(tick.step.direction)},
          {"elapsed_ms", tick.elapsed_ms}};
  e["database"] = tick.progress ? ProgressJson(*tick.progress) : Event(nullptr);
  return e;
}

Event DoneEvent(const Step& step, long long duration_ms) {
  Event e = StepJson("done", step);
  e["duration_ms"] = duration_ms;
  return e;
}

Event FailedEvent(const Step& step, long long elapsed_ms, const Error& error) {
  Event e = StepJson("failed", step);
  e["elapsed_ms"] = elapsed_ms;
  Event err = ErrorEvent(error);
  err["sqlstate"] = error.sqlstate().empty() ? Event(nullptr) : Event(error.sqlstate());
  err["location"] = error.where().file.empty() ? Event(nullptr) : Event(error.where().ToString());
  e["error"] = err;
  return e;
}

Event ErrorEvent(const Error& error) {
  return {{"code", ErrorCodeName(error.code())},
          {"exit", ExitCodeFor(error.code())},
          {"message", Redact(error.what())}};
}

std::string EventLine(const Event& event) {
  return event.dump(-1, ' ', false, Event::error_handler_t::replace) + "\n";
}

}  // namespace migrate::cli
