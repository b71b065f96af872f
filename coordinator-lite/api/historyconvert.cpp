#include "protoconvert.h"

namespace coord::api {

domain::HistoryQuery fromProto(const pb::HistoryRequest &in)
{
    domain::HistoryQuery q;
    if (in.window_ms() > 0)
        q.windowMs = in.window_ms();
    if (in.step_ms() > 0)
        q.stepMs = in.step_ms();
    if (in.top() > 0)
        q.top = std::min(in.top(), 1000);
    return q;
}

void toProto(const domain::HistoryQuery &in, pb::HistoryRequest *out)
{
    out->set_window_ms(in.windowMs);
    out->set_step_ms(in.stepMs);
    out->set_top(in.top);
}

void toProto(const domain::History &in, pb::HistoryReply *out)
{
    out->set_now_ms(in.nowMs);
    out->set_step_ms(in.stepMs);
    out->set_recorded_since_ms(in.recordedSinceMs);
    for (const domain::HistoryPoint &p : in.points) {
        pb::HistoryPoint *o = out->add_points();
        o->set_start_ms(p.startMs);
        o->set_succeeded(p.succeeded);
        o->set_failed(p.failed);
        o->set_p50_ms(p.p50Ms);
        o->set_p95_ms(p.p95Ms);
        o->set_p99_ms(p.p99Ms);
        o->set_in_flight(p.inFlight);
        o->set_stuck(p.stuck);
    }
    for (const domain::FlowFigures &f : in.flows) {
        pb::FlowFigures *o = out->add_flows();
        o->set_flow(f.flow);
        o->set_succeeded(f.succeeded);
        o->set_failed(f.failed);
    }
    for (const domain::ParticipantFigures &p : in.participants) {
        pb::ParticipantFigures *o = out->add_participants();
        o->set_participant(p.host);
        o->set_attempts(p.attempts);
        o->set_errors(p.errors);
        o->set_business_failures(p.businessFailures);
    }
}

domain::History fromProto(const pb::HistoryReply &in)
{
    domain::History h;
    h.nowMs = in.now_ms();
    h.stepMs = in.step_ms();
    h.recordedSinceMs = in.recorded_since_ms();
    for (const pb::HistoryPoint &p : in.points())
        h.points.push_back({p.start_ms(), p.succeeded(), p.failed(), p.p50_ms(), p.p95_ms(),
                            p.p99_ms(), p.in_flight(), p.stuck()});
    for (const pb::FlowFigures &f : in.flows())
        h.flows.push_back({f.flow(), f.succeeded(), f.failed()});
    for (const pb::ParticipantFigures &p : in.participants())
        h.participants.push_back(
            {p.participant(), p.attempts(), p.errors(), p.business_failures()});
    return h;
}

}  // namespace coord::api
