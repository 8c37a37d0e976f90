// Quoting text in messages: what a user wrote, without echoing megabytes;
// commands to paste, quoted for the shell. ratchet's own messages use these,
// and so does a program that prints its own beside them.
#ifndef RATCHET_TEXT_H_
#define RATCHET_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ratchet {

// The longest piece of a user's input that a message quotes.
constexpr size_t kMaxQuoted = 80;

// Returns `text` when it is at most `max` bytes long, else its first bytes
// (never cutting a UTF-8 character) followed by "... (N bytes)".
std::string Clip(std::string_view text, size_t max = kMaxQuoted);

// Returns `word` as the POSIX shell reads it back unchanged: as it is when
// it holds only characters the shell never interprets, else in single
// quotes. For every command ratchet prints for a user to paste.
std::string ShellQuote(std::string_view word);

// The number of single-character insertions, deletions and substitutions
// that turn `a` into `b`, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace ratchet

#endif  // RATCHET_TEXT_H_
