#include "jsondepth.h"

#include <vector>

namespace coord::flow {

namespace {

struct Level {
    bool array = false;
    long index = 0;   // arrays: the element being read
    std::string key;  // objects: the member being read
    bool expectKey = false;
};

// The path of the outermost value that goes too deep: stops before a run of array indices
// ("payload[0][0][0]…" reads better as "payload") and after a few names.
std::string describe(std::string_view root, const std::vector<Level> &levels)
{
    constexpr size_t kMaxParts = 8;
    std::string path(root);
    size_t parts = 0;
    for (size_t i = 0; i + 1 < levels.size(); ++i) {
        const Level &parent = levels[i];
        const bool runOfIndices = parent.array && i + 1 < levels.size() && levels[i + 1].array
            && i + 2 < levels.size() && levels[i + 2].array;
        if (runOfIndices)
            break;
        if (++parts > kMaxParts) {
            path += "…";
            break;
        }
        if (parent.array)
            path += "[" + std::to_string(parent.index) + "]";
        else
            path += (path.empty() ? "" : ".") + parent.key;
    }
    return path.empty() ? std::string("(document)") : path;
}

}  // namespace

std::string checkJsonDepth(std::string_view text, std::string_view root, int maxDepth)
{
    std::vector<Level> levels;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
        case '"': {
            size_t end = i + 1;
            while (end < text.size() && text[end] != '"')
                end += text[end] == '\\' ? 2 : 1;
            if (!levels.empty() && !levels.back().array && levels.back().expectKey) {
                levels.back().key =
                    std::string(text.substr(i + 1, std::min<size_t>(end - i - 1, 64)));
                levels.back().expectKey = false;
            }
            i = end;
            break;
        }
        case '[':
        case '{':
            if (static_cast<int>(levels.size()) >= maxDepth) {
                levels.push_back({});
                return describe(root, levels) + ": nested deeper than " + std::to_string(maxDepth)
                    + " levels";
            }
            levels.push_back({c == '[', 0, {}, c == '{'});
            break;
        case ']':
        case '}':
            if (!levels.empty())
                levels.pop_back();
            break;
        case ',':
            if (!levels.empty()) {
                if (levels.back().array)
                    ++levels.back().index;
                else
                    levels.back().expectKey = true;
            }
            break;
        default:
            break;
        }
    }
    return {};
}

}  // namespace coord::flow
