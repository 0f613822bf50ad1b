// Keeps passwords out of every output: URLs are shown with their password replaced by
// "***", and any text can be scrubbed of known secrets as a last line of defence.
#ifndef MIGRATE_REDACT_H_
#define MIGRATE_REDACT_H_

#include <string>
#include <vector>

namespace migrate {

// `scheme://user:secret@host/db?password=x` → `scheme://user:***@host/db?password=***`.
std::string RedactUrl(const std::string& url);

// The passwords found in `url` (userinfo and password= parameters), for RedactSecrets.
std::vector<std::string> SecretsOfUrl(const std::string& url);

// Replaces every occurrence of each non-empty secret in `text` with "***".
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets);

// Remembers a secret for the rest of the process (a password read from a URL or the
// environment), so that Redact can scrub it from any text. Thread-safe.
void RegisterSecret(const std::string& secret);

// RedactSecrets with every registered secret.
std::string Redact(std::string text);

}  // namespace migrate

#endif  // MIGRATE_REDACT_H_
