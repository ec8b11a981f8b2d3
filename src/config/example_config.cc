// What the example config (deploy/trailwatch.example.yml, embedded as ExampleConfig()) refers to:
// config_test and tests/integration/config_test.py provide exactly these to check it is valid.
#include "config/config.h"

namespace tw::config {

const std::vector<std::string>& ExampleEnvironment() {
  static const std::vector<std::string> kNames = {"SLACK_WEBHOOK_URL", "FIREHOSE_ACCESS_KEY"};
  return kNames;
}

const std::vector<std::string>& ExampleSecretFiles() {
  static const std::vector<std::string> kFiles = {"token.txt", "bot-token.txt", "hmac.txt"};
  return kFiles;
}

}  // namespace tw::config
