#pragma once

#include <string>
#include <string_view>

namespace coord::flow {

// Nesting every JSON entry point accepts. Parsers and walks over JSON values recurse (dump,
// copies, comparisons, tree views), so hostile input could otherwise overflow the stack.
constexpr int kMaxJsonDepth = 256;

// Checks how deeply `text` nests without recursing and without parsing it: "" when it stays
// within maxDepth levels, else "<path>: nested deeper than <maxDepth> levels", where path names
// the value that goes too deep (e.g. "flow.branches[0].payload"), prefixed by `root`. Malformed
// text is not judged here; the parser that runs next reports it.
std::string checkJsonDepth(std::string_view text, std::string_view root = {},
                           int maxDepth = kMaxJsonDepth);

}  // namespace coord::flow
