#include "migrate/redact.h"

#include <mutex>
#include <regex>

namespace migrate {
namespace {

// userinfo password: after "://user:" up to the '@' before the host. libpq ends the userinfo
// at the first '@' or '/' only, so a password may hold '?', '#' and ':'.
const std::regex kUserInfo(R"(^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:)([^@/]*)@)");
const std::regex kParam(R"((^|[?&\s])(password)=([^&\s]*))", std::regex::icase);

std::mutex registry_mutex;
std::vector<std::string>& Registry() {
  static std::vector<std::string> secrets;
  return secrets;
}

}  // namespace

void RegisterSecret(const std::string& secret) {
  if (secret.empty()) return;
  std::lock_guard<std::mutex> lock(registry_mutex);
  Registry().push_back(secret);
}

std::string Redact(std::string text) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  return RedactSecrets(std::move(text), Registry());
}

std::vector<std::string> SecretsOfUrl(const std::string& url) {
  std::vector<std::string> out;
  std::smatch m;
  if (std::regex_search(url, m, kUserInfo) && m[2].length() > 0) out.push_back(m[2]);
  for (auto it = std::sregex_iterator(url.begin(), url.end(), kParam); it != std::sregex_iterator();
       ++it) {
    if ((*it)[3].length() > 0) out.push_back((*it)[3]);
  }
  return out;
}

std::string RedactUrl(const std::string& url) {
  std::string out = std::regex_replace(url, kUserInfo, "$1***@");
  return std::regex_replace(out, kParam, "$1$2=***");
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}

}  // namespace migrate
