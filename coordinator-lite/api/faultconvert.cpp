// Fault plans on the wire (SubmitRequest.faults).
#include "protoconvert.h"

#include <absl/strings/str_cat.h>

namespace coord::api {

void toProto(const std::vector<domain::FaultRule> &in,
             google::protobuf::RepeatedPtrField<pb::FaultRule> *out)
{
    for (const domain::FaultRule &r : in) {
        pb::FaultRule *o = out->Add();
        o->set_branch_id(r.branchId);
        o->set_op(static_cast<pb::OpKind>(r.op));
        o->set_kind(static_cast<pb::FaultKind>(r.kind));
        o->set_times(r.times);
    }
}

absl::StatusOr<std::vector<domain::FaultRule>> fromProto(
    const google::protobuf::RepeatedPtrField<pb::FaultRule> &in)
{
    std::vector<domain::FaultRule> rules;
    for (int i = 0; i < in.size(); ++i) {
        const pb::FaultRule &r = in[i];
        const std::string field = absl::StrCat("faults[", i, "]");
        if (r.op() < pb::ACTION || r.op() > pb::CANCEL)
            return absl::InvalidArgumentError(absl::StrCat(field, ".op: not an operation"));
        if (r.kind() < pb::BUSINESS_FAILURE || r.kind() > pb::ANSWER_LOST)
            return absl::InvalidArgumentError(absl::StrCat(field, ".kind: not a fault kind"));
        rules.push_back({r.branch_id(), static_cast<domain::OpKind>(r.op()),
                         static_cast<domain::FaultKind>(r.kind()), r.times()});
    }
    return rules;
}

}  // namespace coord::api
