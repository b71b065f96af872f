#include "identifiers.h"

#include <algorithm>
#include <cctype>

namespace coord::domain {

namespace {

bool madeOf(std::string_view text, size_t maxSize, std::string_view punctuation)
{
    return !text.empty() && text.size() <= maxSize
        && std::all_of(text.begin(), text.end(), [punctuation](char c) {
               return std::isalnum(static_cast<unsigned char>(c))
                   || punctuation.find(c) != std::string_view::npos;
           });
}

}  // namespace

bool isValidGid(std::string_view gid) { return madeOf(gid, 128, "-_.:"); }

bool isValidBranchId(std::string_view id) { return madeOf(id, 64, "-_."); }

}  // namespace coord::domain
