// tw_gen_corpus: a seeded, deterministic generator of synthetic CloudTrail logs for benchmarks.
//
// The same --seed and --size-mb (or --events) always produce byte-identical output: every random
// choice comes from one xoshiro256** stream, event times advance from a fixed epoch, gzip headers
// carry no mtime, and files are written in generation order.
//
// Output (--out DIR):
//   DIR/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//       <account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<rand16>.json.gz   {"Records":[...]}, 1-8 MB
//   DIR/events.ndjson                                                    the same events, one a
//   line
// With --cwl-payload FILE it instead writes one CloudWatch Logs subscription payload
// {"awslogs":{"data":"<base64 gzip>"}} whose logEvents messages total about --payload-kb KB.
//
// The mix follows what real trails look like: mostly read-only Describe/Get/List calls, AssumeRole,
// S3 data events, about 5% failed calls, and 0.1-0.5% security-relevant changes.
#include <libdeflate.h>

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tw::bench {
namespace {

// xoshiro256** seeded through splitmix64: fast, and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // True with probability `per_million` / 1e6.
  bool Chance(uint64_t per_million) { return Below(1000000) < per_million; }

  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_{};
};

// Appends JSON text to a string; inserts commas itself. Values are assumed well-formed UTF-8.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(std::string_view key) {
    Comma();
    AppendQuoted(key);
    out_->push_back(':');
    need_comma_ = false;
  }
  void String(std::string_view value) {
    Comma();
    AppendQuoted(value);
    need_comma_ = true;
  }
  void Int(int64_t value) {
    Comma();
    char buf[24];
    const int n = std::snprintf(buf, sizeof buf, "%" PRId64, value);
    out_->append(buf, static_cast<size_t>(n));
    need_comma_ = true;
  }
  void Bool(bool value) {
    Comma();
    out_->append(value ? "true" : "false");
    need_comma_ = true;
  }
  void Null() {
    Comma();
    out_->append("null");
    need_comma_ = true;
  }

  void KeyString(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void KeyInt(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void KeyBool(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }
  void KeyNull(std::string_view key) {
    Key(key);
    Null();
  }
  void KeyObject(std::string_view key) {
    Key(key);
    BeginObject();
  }
  void KeyArray(std::string_view key) {
    Key(key);
    BeginArray();
  }
  // {"items":[ ... ]} under `key`; close with EndItems().
  void KeyItems(std::string_view key) {
    KeyObject(key);
    KeyArray("items");
  }
  void EndItems() {
    EndArray();
    EndObject();
  }

  // Appends `value` as a JSON string literal.
  static void AppendQuotedTo(std::string* out, std::string_view value) {
    out->push_back('"');
    for (char c : value) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out->append(buf);
          } else {
            out->push_back(c);
          }
      }
    }
    out->push_back('"');
  }

 private:
  void Open(char c) {
    Comma();
    out_->push_back(c);
    need_comma_ = false;
  }
  void Close(char c) {
    out_->push_back(c);
    need_comma_ = true;
  }
  void Comma() {
    if (need_comma_) out_->push_back(',');
  }
  void AppendQuoted(std::string_view value) { AppendQuotedTo(out_, value); }

  std::string* out_;
  bool need_comma_ = false;
};

// ---------------------------------------------------------------------------------------------
// Time helpers (UTC, proleptic Gregorian; Howard Hinnant's civil_from_days).

struct Civil {
  int year, month, day, hour, minute, second;
};

Civil ToCivil(int64_t epoch_seconds) {
  int64_t days = epoch_seconds / 86400;
  int64_t secs = epoch_seconds % 86400;
  days += 719468;
  const int64_t era = days / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Civil{static_cast<int>(y),
               static_cast<int>(m),
               static_cast<int>(d),
               static_cast<int>(secs / 3600),
               static_cast<int>(secs / 60 % 60),
               static_cast<int>(secs % 60)};
}

std::string IsoTime(int64_t epoch_seconds) {
  const Civil c = ToCivil(epoch_seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary.

constexpr int64_t kEpochStart = 1709251200;  // 2024-03-01T00:00:00Z

constexpr std::array<std::string_view, 3> kAccounts = {"123456789012", "210987654321",
                                                       "555566667777"};
constexpr std::array<std::string_view, 4> kRegions = {"us-east-1", "eu-west-1", "us-west-2",
                                                      "ap-southeast-2"};
constexpr std::array<std::string_view, 8> kUserNames = {
    "alice", "bob", "carol.admin", "ci-deploy", "terraform", "backup-svc", "dave", "erin.ops"};
constexpr std::array<std::string_view, 8> kRoleNames = {
    "AWSReservedSSO_AdministratorAccess_4f1e2d3c4b5a6978",
    "AWSReservedSSO_ReadOnlyAccess_0a1b2c3d4e5f6a7b",
    "github-actions-deploy",
    "eks-node-group-role",
    "lambda-orders-exec",
    "OrganizationAccountAccessRole",
    "datadog-integration",
    "AWSServiceRoleForConfig"};
constexpr std::array<std::string_view, 10> kUserAgents = {
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off "
    "command/ec2.describe-instances",
    "Boto3/1.34.64 md/Botocore#1.34.64 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.64",
    "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0",
    "console.amazonaws.com",
    "AWS Internal",
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10.209-175.858.amzn2int.x86_64 "
    "OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/"
    "standard]",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) "
    "terraform-provider-aws/5.40.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux "
    "lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0",
    "aws-sdk-java/2.25.11 Linux/5.15.0-1055-aws OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS "
    "Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/adaptive",
    "datadog-aws-integration/2.0 (Python 3.11) Boto3/1.34.20 Botocore/1.34.20",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36"};
constexpr std::array<std::string_view, 6> kBuckets = {"acme-prod-assets",  "acme-data-lake-raw",
                                                      "acme-logs-archive", "acme-backups-eu",
                                                      "acme-ml-training",  "acme-static-site"};
constexpr std::array<std::string_view, 8> kKeyPrefixes = {
    "images/2024/03/",
    "raw/events/year=2024/month=03/",
    "AWSLogs/123456789012/elasticloadbalancing/",
    "db/snapshots/",
    "models/v7/checkpoints/",
    "assets/js/",
    "exports/daily/",
    "tmp/uploads/"};

struct ReadCall {
  std::string_view source;
  std::string_view name;
  int kind;  // 0 = no params, 1 = small params, 2 = EC2 DescribeInstances shape
};
constexpr std::array<ReadCall, 40> kReadCalls = {{
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstances", 2},
    {"ec2.amazonaws.com", "DescribeInstanceStatus", 2},
    {"ec2.amazonaws.com", "DescribeSecurityGroups", 1},
    {"ec2.amazonaws.com", "DescribeVolumes", 1},
    {"ec2.amazonaws.com", "DescribeSubnets", 1},
    {"ec2.amazonaws.com", "DescribeVpcs", 1},
    {"ec2.amazonaws.com", "DescribeNetworkInterfaces", 2},
    {"ec2.amazonaws.com", "DescribeRegions", 0},
    {"iam.amazonaws.com", "GetRole", 1},
    {"iam.amazonaws.com", "ListRoles", 0},
    {"iam.amazonaws.com", "GetPolicy", 1},
    {"iam.amazonaws.com", "ListAttachedRolePolicies", 1},
    {"s3.amazonaws.com", "ListBuckets", 0},
    {"s3.amazonaws.com", "GetBucketAcl", 1},
    {"s3.amazonaws.com", "GetBucketLocation", 1},
    {"s3.amazonaws.com", "GetBucketPolicy", 1},
    {"lambda.amazonaws.com", "ListFunctions20150331", 0},
    {"lambda.amazonaws.com", "GetFunction20150331v2", 1},
    {"sts.amazonaws.com", "GetCallerIdentity", 0},
    {"monitoring.amazonaws.com", "DescribeAlarms", 1},
    {"monitoring.amazonaws.com", "GetMetricData", 1},
    {"logs.amazonaws.com", "DescribeLogGroups", 1},
    {"logs.amazonaws.com", "DescribeLogStreams", 1},
    {"kms.amazonaws.com", "DescribeKey", 1},
    {"kms.amazonaws.com", "ListAliases", 0},
    {"dynamodb.amazonaws.com", "DescribeTable", 1},
    {"ssm.amazonaws.com", "GetParameter", 1},
    {"ssm.amazonaws.com", "GetParameters", 1},
    {"config.amazonaws.com", "DescribeConfigRules", 0},
    {"cloudtrail.amazonaws.com", "DescribeTrails", 0},
    {"cloudtrail.amazonaws.com", "GetTrailStatus", 1},
    {"rds.amazonaws.com", "DescribeDBInstances", 1},
    {"autoscaling.amazonaws.com", "DescribeAutoScalingGroups", 1},
    {"elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", 0},
    {"secretsmanager.amazonaws.com", "GetSecretValue", 1},
}};

struct WriteCall {
  std::string_view source;
  std::string_view name;
  bool read_only;
};
constexpr std::array<WriteCall, 16> kWriteCalls = {{
    {"ec2.amazonaws.com", "RunInstances", false},
    {"ec2.amazonaws.com", "RunInstances", false},
    {"ec2.amazonaws.com", "RunInstances", false},
    {"ec2.amazonaws.com", "CreateTags", false},
    {"ec2.amazonaws.com", "StartInstances", false},
    {"ec2.amazonaws.com", "StopInstances", false},
    {"ec2.amazonaws.com", "CreateNetworkInterface", false},
    {"kms.amazonaws.com", "Decrypt", true},
    {"kms.amazonaws.com", "GenerateDataKey", true},
    {"kms.amazonaws.com", "Decrypt", true},
    {"logs.amazonaws.com", "CreateLogStream", false},
    {"lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false},
    {"ssm.amazonaws.com", "PutParameter", false},
    {"dynamodb.amazonaws.com", "UpdateTable", false},
    {"autoscaling.amazonaws.com", "SetDesiredCapacity", false},
    {"secretsmanager.amazonaws.com", "PutSecretValue", false},
}};

// Security-relevant calls: each is what one or more built-in detections look for.
constexpr std::array<WriteCall, 40> kSecurityCalls = {{
    {"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false},
    {"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false},
    {"ec2.amazonaws.com", "AuthorizeSecurityGroupEgress", false},
    {"ec2.amazonaws.com", "RevokeSecurityGroupIngress", false},
    {"ec2.amazonaws.com", "CreateSecurityGroup", false},
    {"ec2.amazonaws.com", "DeleteSecurityGroup", false},
    {"ec2.amazonaws.com", "ModifySecurityGroupRules", false},
    {"kms.amazonaws.com", "CreateKey", false},
    {"kms.amazonaws.com", "CreateAlias", false},
    {"kms.amazonaws.com", "DisableKey", false},
    {"kms.amazonaws.com", "ScheduleKeyDeletion", false},
    {"cloudtrail.amazonaws.com", "StopLogging", false},
    {"cloudtrail.amazonaws.com", "UpdateTrail", false},
    {"cloudtrail.amazonaws.com", "StartLogging", false},
    {"signin.amazonaws.com", "ConsoleLogin", false},
    {"signin.amazonaws.com", "ConsoleLogin", false},
    {"signin.amazonaws.com", "ConsoleLogin", false},
    {"signin.amazonaws.com", "ConsoleLogin", false},
    {"iam.amazonaws.com", "PutUserPolicy", false},
    {"iam.amazonaws.com", "AttachRolePolicy", false},
    {"iam.amazonaws.com", "CreatePolicyVersion", false},
    {"iam.amazonaws.com", "DetachUserPolicy", false},
    {"ec2.amazonaws.com", "CreateNetworkAclEntry", false},
    {"ec2.amazonaws.com", "ReplaceNetworkAclEntry", false},
    {"ssm.amazonaws.com", "StartSession", false},
    {"ssm.amazonaws.com", "StartSession", false},
    {"ssm.amazonaws.com", "TerminateSession", false},
    {"s3.amazonaws.com", "PutBucketPolicy", false},
    {"s3.amazonaws.com", "PutBucketAcl", false},
    {"config.amazonaws.com", "StopConfigurationRecorder", false},
    {"ec2.amazonaws.com", "CreateRoute", false},
    {"ec2.amazonaws.com", "DeleteRoute", false},
    {"ec2.amazonaws.com", "CreateVpc", false},
    {"ec2.amazonaws.com", "ModifyVpcAttribute", false},
    {"ec2.amazonaws.com", "AttachInternetGateway", false},
    {"ec2.amazonaws.com", "CreateCustomerGateway", false},
    {"iam.amazonaws.com", "CreateAccessKey", false},                  // root usage target below
    {"s3.amazonaws.com", "ListBuckets", true},                        // root usage target below
    {"iam.amazonaws.com", "GetAccountSummary", true},                 // root usage target below
    {"support.amazonaws.com", "DescribeTrustedAdvisorChecks", true},  // root, service-invoked
}};

struct ErrorKind {
  std::string_view code;
  std::string_view message;
};
constexpr std::array<ErrorKind, 8> kErrors = {{
    {"AccessDenied", "User is not authorized to perform this operation"},
    {"AccessDenied", "Access Denied"},
    {"Client.UnauthorizedOperation",
     "You are not authorized to perform this operation. Encoded authorization failure message: "
     "hA7x9Kd2LmQ0bVwP3rT8sYzE1uF6gJ4nC5oR2iW7kX0aBvD9eHqM3tN8pL1sU6yZ"},
    {"ThrottlingException", "Rate exceeded"},
    {"AccessDeniedException",
     "User: arn:aws:sts::123456789012:assumed-role/lambda-orders-exec/orders is not authorized "
     "to perform: kms:Decrypt on resource because no identity-based policy allows the action"},
    {"Client.InvalidInstanceID.NotFound", "The instance ID 'i-0abc123def4567890' does not exist"},
    {"ValidationException", "1 validation error detected"},
    {"Client.RequestLimitExceeded", "Request limit exceeded."},
}};

// ---------------------------------------------------------------------------------------------

struct Identity {
  std::string type;  // IAMUser, AssumedRole, AWSService, Root
  std::string principal_id;
  std::string arn;
  std::string access_key;
  std::string user_name;   // IAMUser
  std::string role_name;   // AssumedRole
  std::string role_id;     // AssumedRole
  std::string session;     // AssumedRole
  std::string invoked_by;  // AWSService, or service-invoked Root
  std::string account;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed), now_ms_(kEpochStart * 1000) {
    for (std::string_view account : kAccounts) {
      for (std::string_view user : kUserNames) {
        users_.push_back(MakeUser(account, user));
      }
      for (std::string_view role : kRoleNames) {
        for (int s = 0; s < 3; ++s) roles_.push_back(MakeRole(account, role, s));
      }
    }
    for (int i = 0; i < 240; ++i) {
      char ip[24];
      const int a = i % 3 == 0 ? 10 : (i % 3 == 1 ? 52 : 203);
      std::snprintf(ip, sizeof ip, "%d.%d.%d.%d", a, static_cast<int>(rng_.Below(256)),
                    static_cast<int>(rng_.Below(256)), static_cast<int>(1 + rng_.Below(254)));
      ips_.emplace_back(ip);
    }
  }

  // Advances time and writes one record; returns its account and region indexes.
  std::pair<size_t, size_t> WriteRecord(std::string* out) {
    now_ms_ += static_cast<int64_t>(rng_.Below(40));
    account_ = rng_.Chance(800000) ? 0 : 1 + rng_.Below(kAccounts.size() - 1);
    const uint64_t rr = rng_.Below(100);
    region_ = rr < 50 ? 0 : rr < 75 ? 1 : rr < 90 ? 2 : 3;
    const uint64_t roll = rng_.Below(1000000);
    JsonWriter w(out);
    if (roll < 3000) {
      WriteSecurity(w);
    } else if (roll < 200000) {
      WriteS3Data(w);
    } else if (roll < 300000) {
      WriteAssumeRole(w);
    } else if (roll < 390000) {
      WriteMutation(w);
    } else {
      WriteRead(w);
    }
    return {account_, region_};
  }

  int64_t now_ms() const { return now_ms_; }
  Rng& rng() { return rng_; }

  std::string RandomAlnum(size_t n) {
    static constexpr std::string_view kAlnum =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string s(n, ' ');
    for (char& c : s) c = kAlnum[rng_.Below(kAlnum.size())];
    return s;
  }

 private:
  std::string RandomUpper(size_t n) {
    static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string s(n, ' ');
    for (char& c : s) c = kChars[rng_.Below(kChars.size())];
    return s;
  }
  std::string RandomHex(size_t n) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string s(n, ' ');
    for (char& c : s) c = kHex[rng_.Below(16)];
    return s;
  }
  std::string Uuid() {
    std::string s = RandomHex(8) + "-" + RandomHex(4) + "-4" + RandomHex(3) + "-" +
                    std::string(1, "89ab"[rng_.Below(4)]) + RandomHex(3) + "-" + RandomHex(12);
    return s;
  }
  std::string InstanceId() { return "i-0" + RandomHex(16); }

  Identity MakeUser(std::string_view account, std::string_view user) {
    Identity id;
    id.type = "IAMUser";
    id.principal_id = "AIDA" + RandomUpper(17);
    id.arn = "arn:aws:iam::" + std::string(account) + ":user/" + std::string(user);
    id.access_key = "AKIA" + RandomUpper(16);
    id.user_name = user;
    id.account = account;
    return id;
  }
  Identity MakeRole(std::string_view account, std::string_view role, int s) {
    Identity id;
    id.type = "AssumedRole";
    id.role_name = role;
    id.role_id = "AROA" + RandomUpper(17);
    id.session = s == 0 ? "botocore-session-" + std::to_string(1709200000 + rng_.Below(90000))
                        : std::string(kUserNames[rng_.Below(kUserNames.size())]) + "@acme.example";
    id.principal_id = id.role_id + ":" + id.session;
    id.arn = "arn:aws:sts::" + std::string(account) + ":assumed-role/" + std::string(role) + "/" +
             id.session;
    id.access_key = "ASIA" + RandomUpper(16);
    id.account = account;
    return id;
  }

  std::string_view Account() const { return kAccounts[account_]; }
  std::string_view Region() const { return kRegions[region_]; }

  const Identity& AnyHuman() {
    return rng_.Below(3) == 0
               ? users_[account_ * kUserNames.size() + rng_.Below(kUserNames.size())]
               : roles_[account_ * kRoleNames.size() * 3 + rng_.Below(kRoleNames.size() * 3)];
  }

  void WriteIdentity(JsonWriter& w, const Identity& id) {
    w.KeyObject("userIdentity");
    w.KeyString("type", id.type);
    if (id.type == "AWSService") {
      w.KeyString("invokedBy", id.invoked_by);
      w.EndObject();
      return;
    }
    w.KeyString("principalId", id.principal_id);
    w.KeyString("arn", id.arn);
    w.KeyString("accountId", id.account);
    if (!id.access_key.empty()) w.KeyString("accessKeyId", id.access_key);
    if (id.type == "IAMUser") {
      w.KeyString("userName", id.user_name);
    } else if (id.type == "AssumedRole") {
      w.KeyObject("sessionContext");
      w.KeyObject("sessionIssuer");
      w.KeyString("type", "Role");
      w.KeyString("principalId", id.role_id);
      w.KeyString("arn", "arn:aws:iam::" + id.account + ":role/" + id.role_name);
      w.KeyString("accountId", id.account);
      w.KeyString("userName", id.role_name);
      w.EndObject();
      w.KeyObject("webIdFederationData");
      w.EndObject();
      w.KeyObject("attributes");
      w.KeyString("creationDate",
                  IsoTime(now_ms_ / 1000 - 60 - static_cast<int64_t>(rng_.Below(3000))));
      w.KeyString("mfaAuthenticated", rng_.Below(4) == 0 ? "true" : "false");
      w.EndObject();
      w.EndObject();
    } else if (id.type == "Root") {
      w.KeyObject("sessionContext");
      w.KeyObject("attributes");
      w.KeyString("creationDate", IsoTime(now_ms_ / 1000 - 600));
      w.KeyString("mfaAuthenticated", "true");
      w.EndObject();
      w.EndObject();
    }
    if (!id.invoked_by.empty()) w.KeyString("invokedBy", id.invoked_by);
    w.EndObject();
  }

  struct Header {
    const Identity* identity;
    std::string_view source;
    std::string_view name;
    std::string_view user_agent;
    std::string source_ip;
    const ErrorKind* error;
  };

  void WriteHeader(JsonWriter& w, const Header& h) {
    w.BeginObject();
    w.KeyString("eventVersion", h.source == "s3.amazonaws.com" ? "1.09" : "1.08");
    WriteIdentity(w, *h.identity);
    w.KeyString("eventTime", IsoTime(now_ms_ / 1000));
    w.KeyString("eventSource", h.source);
    w.KeyString("eventName", h.name);
    w.KeyString("awsRegion", Region());
    w.KeyString("sourceIPAddress", h.source_ip);
    w.KeyString("userAgent", h.user_agent);
    if (h.error != nullptr) {
      w.KeyString("errorCode", h.error->code);
      w.KeyString("errorMessage", h.error->message);
    }
  }

  // requestID .. tlsDetails, then closes the record.
  void WriteTrailer(JsonWriter& w, std::string_view source, bool read_only,
                    std::string_view event_type, bool management) {
    w.KeyString("requestID", source == "s3.amazonaws.com" ? RandomUpper(16) : Uuid());
    w.KeyString("eventID", Uuid());
    w.KeyBool("readOnly", read_only);
    WriteTrailerTail(w, source, event_type, management);
  }
  void WriteTrailerTail(JsonWriter& w, std::string_view source, std::string_view event_type,
                        bool management) {
    w.KeyString("eventType", event_type);
    w.KeyBool("managementEvent", management);
    w.KeyString("recipientAccountId", Account());
    if (rng_.Below(4) == 0) {
      w.KeyString("vpcEndpointId", "vpce-0" + RandomHex(16));
      w.KeyString("vpcEndpointAccountId", Account());
    }
    w.KeyString("eventCategory", management ? "Management" : "Data");
    if (event_type == "AwsApiCall") {
      w.KeyObject("tlsDetails");
      w.KeyString("tlsVersion", rng_.Below(3) == 0 ? "TLSv1.2" : "TLSv1.3");
      w.KeyString("cipherSuite", "TLS_AES_128_GCM_SHA256");
      std::string host(source.substr(0, source.find('.')));
      w.KeyString("clientProvidedHostHeader",
                  host + "." + std::string(Region()) + ".amazonaws.com");
      w.EndObject();
    }
    w.EndObject();
  }

  const ErrorKind* MaybeError() {
    return rng_.Chance(50000) ? &kErrors[rng_.Below(kErrors.size())] : nullptr;
  }

  Header HumanHeader(std::string_view source, std::string_view name) {
    Header h{&AnyHuman(),
             source,
             name,
             kUserAgents[rng_.Below(kUserAgents.size())],
             ips_[rng_.Below(ips_.size())],
             nullptr};
    return h;
  }

  void WriteFilterSet(JsonWriter& w) {
    w.KeyItems("filterSet");
    const uint64_t n = 1 + rng_.Below(3);
    for (uint64_t i = 0; i < n; ++i) {
      w.BeginObject();
      static constexpr std::array<std::string_view, 4> kFilters = {
          "instance-state-name", "tag:Name", "vpc-id", "tag:aws:autoscaling:groupName"};
      w.KeyString("name", kFilters[rng_.Below(kFilters.size())]);
      w.KeyItems("valueSet");
      const uint64_t m = 1 + rng_.Below(3);
      for (uint64_t j = 0; j < m; ++j) {
        w.BeginObject();
        w.KeyString("value", j == 0 ? "running" : "web-" + RandomHex(6));
        w.EndObject();
      }
      w.EndItems();
      w.EndObject();
    }
    w.EndItems();
  }

  void WriteRead(JsonWriter& w) {
    const ReadCall& call = rng_.Pick(kReadCalls);
    Header h = HumanHeader(call.source, call.name);
    h.error = MaybeError();
    WriteHeader(w, h);
    w.Key("requestParameters");
    if (call.kind == 0) {
      w.Null();
    } else if (call.kind == 1) {
      w.BeginObject();
      if (call.source == "s3.amazonaws.com") {
        w.KeyString("bucketName", rng_.Pick(kBuckets));
        w.KeyString("Host", std::string(rng_.Pick(kBuckets)) + ".s3.amazonaws.com");
        w.KeyString(call.name == "GetBucketAcl" ? "acl" : "policy", "");
      } else if (call.source == "iam.amazonaws.com") {
        w.KeyString("roleName", kRoleNames[rng_.Below(kRoleNames.size())]);
      } else if (call.source == "kms.amazonaws.com") {
        w.KeyString("keyId", "alias/aws/" + std::string(rng_.Pick(kBuckets)));
      } else if (call.source == "ssm.amazonaws.com") {
        w.KeyString("name", "/prod/orders/" + RandomHex(8));
        w.KeyBool("withDecryption", true);
      } else if (call.source == "ec2.amazonaws.com") {
        WriteFilterSet(w);
      } else {
        w.KeyInt("maxResults", 100);
        w.KeyString("nextToken", RandomAlnum(40 + rng_.Below(120)));
      }
      w.EndObject();
    } else {
      w.BeginObject();
      w.KeyItems("instancesSet");
      const uint64_t n = rng_.Below(17);
      for (uint64_t i = 0; i < n; ++i) {
        w.BeginObject();
        w.KeyString("instanceId", InstanceId());
        w.EndObject();
      }
      w.EndItems();
      WriteFilterSet(w);
      w.EndObject();
    }
    w.KeyNull("responseElements");
    WriteTrailer(w, call.source, true, "AwsApiCall", true);
  }

  void WriteS3Data(JsonWriter& w) {
    const bool get = rng_.Below(10) < 7;
    const std::string_view name =
        get ? "GetObject" : (rng_.Below(4) == 0 ? "HeadObject" : "PutObject");
    Header h = HumanHeader("s3.amazonaws.com", name);
    h.error = rng_.Chance(30000) ? &kErrors[1] : nullptr;
    WriteHeader(w, h);
    const std::string_view bucket = rng_.Pick(kBuckets);
    const std::string key = std::string(rng_.Pick(kKeyPrefixes)) + "part-" + RandomHex(5) + "-" +
                            Uuid() + ".snappy.parquet";
    w.KeyObject("requestParameters");
    w.KeyString("bucketName", bucket);
    w.KeyString("Host", std::string(bucket) + ".s3." + std::string(Region()) + ".amazonaws.com");
    w.KeyString("key", key);
    if (name == "PutObject") w.KeyString("x-amz-server-side-encryption", "aws:kms");
    w.EndObject();
    if (name == "PutObject" && h.error == nullptr) {
      w.KeyObject("responseElements");
      w.KeyString("x-amz-server-side-encryption", "aws:kms");
      w.KeyString(
          "x-amz-server-side-encryption-aws-kms-key-id",
          "arn:aws:kms:" + std::string(Region()) + ":" + std::string(Account()) + ":key/" + Uuid());
      w.EndObject();
    } else {
      w.KeyNull("responseElements");
    }
    w.KeyObject("additionalEventData");
    w.KeyString("SignatureVersion", "SigV4");
    w.KeyString("CipherSuite", "TLS_AES_128_GCM_SHA256");
    w.KeyInt("bytesTransferredIn",
             name == "PutObject" ? static_cast<int64_t>(1 + rng_.Below(50000000)) : 0);
    w.KeyString("AuthenticationMethod", "AuthHeader");
    w.KeyString("x-amz-id-2", RandomAlnum(76));
    w.KeyInt("bytesTransferredOut",
             name == "GetObject" ? static_cast<int64_t>(1 + rng_.Below(50000000)) : 0);
    w.EndObject();
    w.KeyString("requestID", RandomUpper(16));
    w.KeyString("eventID", Uuid());
    w.KeyBool("readOnly", name != "PutObject");
    w.KeyArray("resources");
    w.BeginObject();
    w.KeyString("type", "AWS::S3::Object");
    w.KeyString("ARN", "arn:aws:s3:::" + std::string(bucket) + "/" + key);
    w.EndObject();
    w.BeginObject();
    w.KeyString("accountId", Account());
    w.KeyString("type", "AWS::S3::Bucket");
    w.KeyString("ARN", "arn:aws:s3:::" + std::string(bucket));
    w.EndObject();
    w.EndArray();
    WriteTrailerTail(w, "s3.amazonaws.com", "AwsApiCall", false);
  }

  void WriteAssumeRole(JsonWriter& w) {
    Identity service;
    const Identity* who;
    std::string ip;
    std::string_view agent;
    if (rng_.Below(2) == 0) {
      static constexpr std::array<std::string_view, 4> kServices = {
          "lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
          "config.amazonaws.com"};
      service.type = "AWSService";
      service.invoked_by = rng_.Pick(kServices);
      who = &service;
      ip = service.invoked_by;
      agent = service.invoked_by;
    } else {
      who = &AnyHuman();
      ip = ips_[rng_.Below(ips_.size())];
      agent = kUserAgents[rng_.Below(kUserAgents.size())];
    }
    Header h{who, "sts.amazonaws.com", "AssumeRole", agent, ip, nullptr};
    h.error = MaybeError();
    WriteHeader(w, h);
    const std::string role(kRoleNames[rng_.Below(kRoleNames.size())]);
    const std::string role_arn = "arn:aws:iam::" + std::string(Account()) + ":role/" + role;
    const std::string session = "session-" + RandomHex(10);
    w.KeyObject("requestParameters");
    w.KeyString("roleArn", role_arn);
    w.KeyString("roleSessionName", session);
    w.KeyInt("durationSeconds", 3600);
    w.EndObject();
    if (h.error != nullptr) {
      w.KeyNull("responseElements");
    } else {
      w.KeyObject("responseElements");
      w.KeyObject("credentials");
      w.KeyString("accessKeyId", "ASIA" + RandomUpper(16));
      w.KeyString("sessionToken", RandomAlnum(600));
      w.KeyString("expiration", "Mar 1, 2024, 1:00:00 PM");
      w.EndObject();
      w.KeyObject("assumedRoleUser");
      w.KeyString("assumedRoleId", "AROA" + RandomUpper(17) + ":" + session);
      w.KeyString("arn", "arn:aws:sts::" + std::string(Account()) + ":assumed-role/" + role + "/" +
                             session);
      w.EndObject();
      w.EndObject();
    }
    w.KeyString("requestID", Uuid());
    w.KeyString("eventID", Uuid());
    w.KeyBool("readOnly", true);
    w.KeyArray("resources");
    w.BeginObject();
    w.KeyString("accountId", Account());
    w.KeyString("type", "AWS::IAM::Role");
    w.KeyString("ARN", role_arn);
    w.EndObject();
    w.EndArray();
    w.KeyString("eventType", "AwsApiCall");
    w.KeyBool("managementEvent", true);
    w.KeyString("recipientAccountId", Account());
    w.KeyString("sharedEventID", Uuid());
    w.KeyString("eventCategory", "Management");
    w.EndObject();
  }

  void WriteRunInstancesRequest(JsonWriter& w, const std::vector<std::string>& ids) {
    w.KeyObject("requestParameters");
    w.KeyItems("instancesSet");
    w.BeginObject();
    w.KeyString("imageId", "ami-0" + RandomHex(16));
    w.KeyInt("minCount", static_cast<int64_t>(ids.size()));
    w.KeyInt("maxCount", static_cast<int64_t>(ids.size()));
    w.EndObject();
    w.EndItems();
    w.KeyString("instanceType", "m6i.large");
    w.KeyItems("blockDeviceMapping");
    w.BeginObject();
    w.KeyString("deviceName", "/dev/xvda");
    w.KeyObject("ebs");
    w.KeyInt("volumeSize", 100);
    w.KeyBool("deleteOnTermination", true);
    w.KeyString("volumeType", "gp3");
    w.KeyBool("encrypted", true);
    w.EndObject();
    w.EndObject();
    w.EndItems();
    w.KeyObject("monitoring");
    w.KeyBool("enabled", false);
    w.EndObject();
    w.KeyBool("disableApiTermination", false);
    w.KeyItems("networkInterfaceSet");
    w.BeginObject();
    w.KeyInt("deviceIndex", 0);
    w.KeyString("subnetId", "subnet-0" + RandomHex(16));
    w.KeyItems("groupSet");
    w.BeginObject();
    w.KeyString("groupId", "sg-0" + RandomHex(16));
    w.EndObject();
    w.EndItems();
    w.EndObject();
    w.EndItems();
    w.KeyObject("iamInstanceProfile");
    w.KeyString("arn", "arn:aws:iam::" + std::string(Account()) +
                           ":instance-profile/eks-node-group-profile");
    w.EndObject();
    w.KeyItems("tagSpecificationSet");
    w.BeginObject();
    w.KeyString("resourceType", "instance");
    w.KeyArray("tags");
    w.BeginObject();
    w.KeyString("key", "Name");
    w.KeyString("value", "web-" + RandomHex(6));
    w.EndObject();
    w.BeginObject();
    w.KeyString("key", "team");
    w.KeyString("value", "orders");
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndItems();
    w.EndObject();
  }

  void WriteRunInstancesResponse(JsonWriter& w, const std::vector<std::string>& ids) {
    w.KeyObject("responseElements");
    w.KeyString("requestId", Uuid());
    w.KeyString("reservationId", "r-0" + RandomHex(16));
    w.KeyString("ownerId", Account());
    w.KeyObject("groupSet");
    w.EndObject();
    w.KeyItems("instancesSet");
    for (const std::string& id : ids) {
      w.BeginObject();
      w.KeyString("instanceId", id);
      w.KeyString("imageId", "ami-0" + RandomHex(16));
      w.KeyObject("instanceState");
      w.KeyInt("code", 0);
      w.KeyString("name", "pending");
      w.EndObject();
      w.KeyString("privateDnsName", "ip-10-0-" + std::to_string(rng_.Below(256)) + "-" +
                                        std::to_string(rng_.Below(256)) + ".ec2.internal");
      w.KeyInt("amiLaunchIndex", 0);
      w.KeyObject("productCodes");
      w.EndObject();
      w.KeyString("instanceType", "m6i.large");
      w.KeyInt("launchTime", now_ms_);
      w.KeyObject("placement");
      w.KeyString("availabilityZone", std::string(Region()) + "a");
      w.KeyString("tenancy", "default");
      w.EndObject();
      w.KeyObject("monitoring");
      w.KeyString("state", "disabled");
      w.EndObject();
      w.KeyString("subnetId", "subnet-0" + RandomHex(16));
      w.KeyString("vpcId", "vpc-0" + RandomHex(16));
      w.KeyString("privateIpAddress", "10.0." + std::to_string(rng_.Below(256)) + "." +
                                          std::to_string(rng_.Below(256)));
      w.KeyObject("stateReason");
      w.KeyString("code", "pending");
      w.KeyString("message", "pending");
      w.EndObject();
      w.KeyString("architecture", "x86_64");
      w.KeyString("rootDeviceType", "ebs");
      w.KeyString("rootDeviceName", "/dev/xvda");
      w.KeyObject("blockDeviceMapping");
      w.EndObject();
      w.KeyString("virtualizationType", "hvm");
      w.KeyString("clientToken", Uuid());
      w.KeyItems("tagSet");
      w.BeginObject();
      w.KeyString("key", "team");
      w.KeyString("value", "orders");
      w.EndObject();
      w.EndItems();
      w.KeyItems("groupSet");
      w.BeginObject();
      w.KeyString("groupId", "sg-0" + RandomHex(16));
      w.KeyString("groupName", "web-tier");
      w.EndObject();
      w.EndItems();
      w.KeyString("hypervisor", "xen");
      w.KeyItems("networkInterfaceSet");
      w.BeginObject();
      w.KeyString("networkInterfaceId", "eni-0" + RandomHex(16));
      w.KeyString("macAddress", "0e:" + RandomHex(2) + ":" + RandomHex(2) + ":" + RandomHex(2) +
                                    ":" + RandomHex(2) + ":" + RandomHex(2));
      w.KeyString("status", "in-use");
      w.KeyBool("sourceDestCheck", true);
      w.EndObject();
      w.EndItems();
      w.KeyBool("ebsOptimized", true);
      w.KeyObject("enaSupport");
      w.EndObject();
      w.KeyObject("cpuOptions");
      w.KeyInt("coreCount", 1);
      w.KeyInt("threadsPerCore", 2);
      w.EndObject();
      w.KeyObject("metadataOptions");
      w.KeyString("state", "pending");
      w.KeyString("httpTokens", "required");
      w.KeyInt("httpPutResponseHopLimit", 2);
      w.KeyString("httpEndpoint", "enabled");
      w.EndObject();
      w.EndObject();
    }
    w.EndItems();
    w.KeyString("requesterId", "940372691376");
    w.EndObject();
  }

  void WriteMutation(JsonWriter& w) {
    const WriteCall& call = rng_.Pick(kWriteCalls);
    Header h = HumanHeader(call.source, call.name);
    h.error = MaybeError();
    WriteHeader(w, h);
    if (call.name == "RunInstances") {
      std::vector<std::string> ids(1 + rng_.Below(6));
      for (std::string& id : ids) id = InstanceId();
      WriteRunInstancesRequest(w, ids);
      if (h.error == nullptr) {
        WriteRunInstancesResponse(w, ids);
      } else {
        w.KeyNull("responseElements");
      }
    } else if (call.source == "ec2.amazonaws.com") {
      w.KeyObject("requestParameters");
      w.KeyItems(call.name == "CreateTags" ? "resourcesSet" : "instancesSet");
      const uint64_t n = 1 + rng_.Below(4);
      for (uint64_t i = 0; i < n; ++i) {
        w.BeginObject();
        w.KeyString(call.name == "CreateTags" ? "resourceId" : "instanceId", InstanceId());
        w.EndObject();
      }
      w.EndItems();
      w.EndObject();
      w.KeyObject("responseElements");
      w.KeyString("requestId", Uuid());
      w.KeyBool("_return", true);
      w.EndObject();
    } else if (call.source == "kms.amazonaws.com") {
      w.KeyObject("requestParameters");
      w.KeyString("keyId", "arn:aws:kms:" + std::string(Region()) + ":" + std::string(Account()) +
                               ":key/" + Uuid());
      w.KeyString("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
      w.KeyObject("encryptionContext");
      w.KeyString("aws:lambda:FunctionArn", "arn:aws:lambda:" + std::string(Region()) + ":" +
                                                std::string(Account()) + ":function:orders");
      w.EndObject();
      w.EndObject();
      w.KeyNull("responseElements");
    } else {
      w.KeyObject("requestParameters");
      w.KeyString("name", "orders-" + RandomHex(8));
      w.KeyString("clientRequestToken", Uuid());
      w.EndObject();
      w.KeyNull("responseElements");
    }
    WriteTrailer(w, call.source, call.read_only, "AwsApiCall", true);
  }

  void WriteSecurity(JsonWriter& w) {
    const size_t idx = rng_.Below(kSecurityCalls.size());
    const WriteCall& call = kSecurityCalls[idx];
    Header h = HumanHeader(call.source, call.name);
    Identity root;
    if (idx >= kSecurityCalls.size() - 4) {
      root.type = "Root";
      root.account = Account();
      root.principal_id = root.account;
      root.arn = "arn:aws:iam::" + root.account + ":root";
      if (call.source == "support.amazonaws.com") {
        root.invoked_by = "support.amazonaws.com";
      } else {
        root.access_key = "ASIA" + RandomUpper(16);
      }
      h.identity = &root;
      h.user_agent = kUserAgents[9];
    }
    const bool login = call.name == "ConsoleLogin";
    bool login_ok = true;
    if (login) {
      login_ok = rng_.Below(3) != 0;
      h.user_agent = kUserAgents[9];
      h.identity = &users_[account_ * kUserNames.size() + rng_.Below(kUserNames.size())];
      if (rng_.Below(4) == 0) h.identity = &AnyHuman();
    } else if (rng_.Below(20) == 0) {
      h.error = &kErrors[rng_.Below(3)];
    }
    if (login) {
      // A failed ConsoleLogin carries errorMessage without errorCode.
      WriteHeader(w, h);
      if (!login_ok) w.KeyString("errorMessage", "Failed authentication");
      w.KeyNull("requestParameters");
      w.KeyObject("responseElements");
      w.KeyString("ConsoleLogin", login_ok ? "Success" : "Failure");
      w.EndObject();
      w.KeyObject("additionalEventData");
      w.KeyString("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23");
      w.KeyString("MobileVersion", "No");
      w.KeyString("MFAUsed", rng_.Below(2) == 0 ? "Yes" : "No");
      w.EndObject();
      w.KeyString("eventID", Uuid());
      w.KeyBool("readOnly", false);
      WriteTrailerTail(w, call.source, "AwsConsoleSignIn", true);
      return;
    }
    WriteHeader(w, h);
    w.KeyObject("requestParameters");
    if (call.name == "AuthorizeSecurityGroupIngress" ||
        call.name == "AuthorizeSecurityGroupEgress" || call.name == "RevokeSecurityGroupIngress") {
      w.KeyString("groupId", "sg-0" + RandomHex(16));
      w.KeyItems("ipPermissions");
      const uint64_t n = 1 + rng_.Below(3);
      for (uint64_t i = 0; i < n; ++i) {
        static constexpr std::array<int, 5> kPorts = {22, 443, 3389, 5432, 8080};
        const int port = kPorts[rng_.Below(kPorts.size())];
        w.BeginObject();
        w.KeyString("ipProtocol", "tcp");
        w.KeyInt("fromPort", port);
        w.KeyInt("toPort", port);
        w.KeyObject("groups");
        w.EndObject();
        w.KeyItems("ipRanges");
        w.BeginObject();
        w.KeyString("cidrIp", rng_.Below(3) == 0 ? "0.0.0.0/0" : "10.20.0.0/16");
        w.KeyString("description", "added by " + std::string(kUserNames[rng_.Below(8)]));
        w.EndObject();
        w.EndItems();
        w.KeyObject("ipv6Ranges");
        w.EndObject();
        w.KeyObject("prefixListIds");
        w.EndObject();
        w.EndObject();
      }
      w.EndItems();
    } else if (call.source == "kms.amazonaws.com") {
      if (call.name == "CreateKey") {
        w.KeyString("keySpec", "SYMMETRIC_DEFAULT");
        w.KeyString("keyUsage", "ENCRYPT_DECRYPT");
        w.KeyString("description", "orders data key");
      } else if (call.name == "CreateAlias") {
        w.KeyString("aliasName", "alias/orders-" + RandomHex(4));
        w.KeyString("targetKeyId", Uuid());
      } else {
        w.KeyString("keyId", Uuid());
        if (call.name == "ScheduleKeyDeletion") w.KeyInt("pendingWindowInDays", 7);
      }
    } else if (call.source == "cloudtrail.amazonaws.com") {
      w.KeyString("name",
                  "arn:aws:cloudtrail:us-east-1:" + std::string(Account()) + ":trail/org-trail");
      if (call.name == "UpdateTrail") w.KeyBool("isMultiRegionTrail", false);
    } else if (call.source == "iam.amazonaws.com") {
      if (call.name == "PutUserPolicy") {
        w.KeyString("userName", kUserNames[rng_.Below(kUserNames.size())]);
        w.KeyString("policyName", "inline-admin");
        w.KeyString("policyDocument",
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Action\":\"*\",\"Resource\":\"*\"}]}");
      } else if (call.name == "CreateAccessKey") {
        w.KeyString("userName", "root");
      } else if (call.name != "GetAccountSummary") {
        w.KeyString("roleName", kRoleNames[rng_.Below(kRoleNames.size())]);
        w.KeyString("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess");
      }
    } else if (call.source == "ssm.amazonaws.com") {
      if (call.name == "StartSession") {
        w.KeyString("target", InstanceId());
      } else {
        w.KeyString("sessionId", std::string(kUserNames[rng_.Below(8)]) + "-" + RandomHex(17));
      }
    } else if (call.source == "s3.amazonaws.com") {
      w.KeyString("bucketName", rng_.Pick(kBuckets));
      w.KeyString("Host", std::string(rng_.Pick(kBuckets)) + ".s3.amazonaws.com");
    } else if (call.name == "CreateNetworkAclEntry" || call.name == "ReplaceNetworkAclEntry") {
      w.KeyString("networkAclId", "acl-0" + RandomHex(16));
      w.KeyInt("ruleNumber", 100 + static_cast<int64_t>(rng_.Below(50)));
      w.KeyString("ruleAction", "allow");
      w.KeyBool("egress", false);
      w.KeyString("cidrBlock", "0.0.0.0/0");
      w.KeyString("aclProtocol", "6");
      w.KeyObject("portRange");
      w.KeyInt("from", 22);
      w.KeyInt("to", 22);
      w.EndObject();
    } else {
      w.KeyString("vpcId", "vpc-0" + RandomHex(16));
    }
    w.EndObject();
    if (h.error != nullptr) {
      w.KeyNull("responseElements");
    } else {
      w.KeyObject("responseElements");
      w.KeyString("requestId", Uuid());
      w.KeyBool("_return", true);
      w.EndObject();
    }
    if (call.source == "ssm.amazonaws.com") {
      w.KeyObject("additionalEventData");
      w.KeyString("sessionId", RandomHex(17));
      w.EndObject();
    }
    const bool service_root = !h.identity->invoked_by.empty();
    w.KeyString("requestID", Uuid());
    w.KeyString("eventID", Uuid());
    w.KeyBool("readOnly", call.read_only);
    WriteTrailerTail(w, call.source, service_root ? "AwsServiceEvent" : "AwsApiCall", true);
  }

  Rng rng_;
  int64_t now_ms_;
  size_t account_ = 0;
  size_t region_ = 0;
  std::vector<Identity> users_;
  std::vector<Identity> roles_;
  std::vector<std::string> ips_;
};

// ---------------------------------------------------------------------------------------------
// Output.

class Gzipper {
 public:
  Gzipper() : compressor_(libdeflate_alloc_compressor(6)) {}
  ~Gzipper() { libdeflate_free_compressor(compressor_); }
  Gzipper(const Gzipper&) = delete;
  Gzipper& operator=(const Gzipper&) = delete;

  // Returns false when compression fails (it cannot for a large enough bound).
  bool Compress(std::string_view in, std::string* out) {
    out->resize(libdeflate_gzip_compress_bound(compressor_, in.size()));
    const size_t n =
        libdeflate_gzip_compress(compressor_, in.data(), in.size(), out->data(), out->size());
    out->resize(n);
    return n != 0;
  }

 private:
  libdeflate_compressor* compressor_;
};

bool WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    std::fprintf(stderr, "tw_gen_corpus: cannot create %s: %s\n", path.parent_path().c_str(),
                 ec.message().c_str());
    return false;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "tw_gen_corpus: cannot open %s\n", path.c_str());
    return false;
  }
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

std::string Base64(std::string_view in) {
  static constexpr std::string_view kTable =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out.push_back(kTable[v >> 18 & 63]);
    out.push_back(kTable[v >> 12 & 63]);
    out.push_back(kTable[v >> 6 & 63]);
    out.push_back(kTable[v & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out.push_back(kTable[v >> 18 & 63]);
    out.push_back(kTable[v >> 12 & 63]);
    out.push_back(i + 1 < in.size() ? kTable[v >> 6 & 63] : '=');
    out.push_back('=');
  }
  return out;
}

struct Options {
  uint64_t seed = 1;
  uint64_t size_mb = 0;
  uint64_t events = 0;
  uint64_t payload_kb = 1000;
  std::string out_dir;
  std::string cwl_payload;
  bool ndjson_only = false;
};

// One open CloudTrail file per account/region stream.
struct OpenFile {
  std::string body;
  size_t target = 0;
  int64_t first_ms = 0;
  size_t records = 0;
};

int WriteCorpus(const Options& opt) {
  Generator gen(opt.seed);
  Gzipper gz;
  const std::filesystem::path root(opt.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::FILE* ndjson = std::fopen((root / "events.ndjson").c_str(), "wb");
  if (ndjson == nullptr) {
    std::fprintf(stderr, "tw_gen_corpus: cannot write %s/events.ndjson\n", opt.out_dir.c_str());
    return 1;
  }
  std::vector<OpenFile> open(kAccounts.size() * kRegions.size());
  uint64_t events = 0, json_bytes = 0, files = 0, gz_bytes = 0;
  std::string record, compressed;
  const uint64_t target_bytes = opt.size_mb * 1000000;

  auto flush = [&](size_t stream) -> bool {
    OpenFile& f = open[stream];
    if (f.records == 0) return true;
    f.body.append("]}");
    const std::string account(kAccounts[stream / kRegions.size()]);
    const std::string region(kRegions[stream % kRegions.size()]);
    // CloudTrail names files after the 5-minute delivery window of the first event.
    const int64_t window = f.first_ms / 1000 / 300 * 300;
    const Civil c = ToCivil(window);
    char date_dir[16], stamp[24];
    std::snprintf(date_dir, sizeof date_dir, "%04d/%02d/%02d", c.year, c.month, c.day);
    std::snprintf(stamp, sizeof stamp, "%04d%02d%02dT%02d%02dZ", c.year, c.month, c.day, c.hour,
                  c.minute);
    const std::string name =
        account + "_CloudTrail_" + region + "_" + stamp + "_" + gen.RandomAlnum(16) + ".json.gz";
    const std::filesystem::path path =
        root / "AWSLogs" / account / "CloudTrail" / region / date_dir / name;
    if (!gz.Compress(f.body, &compressed) || !WriteFile(path, compressed)) return false;
    ++files;
    gz_bytes += compressed.size();
    f.body.clear();
    f.records = 0;
    return true;
  };

  while ((opt.events != 0 && events < opt.events) ||
         (opt.events == 0 && json_bytes < target_bytes)) {
    record.clear();
    const auto [account, region] = gen.WriteRecord(&record);
    ++events;
    json_bytes += record.size();
    record.push_back('\n');
    if (std::fwrite(record.data(), 1, record.size(), ndjson) != record.size()) {
      std::fprintf(stderr, "tw_gen_corpus: write failed\n");
      return 1;
    }
    if (opt.ndjson_only) continue;
    const size_t stream = account * kRegions.size() + region;
    OpenFile& f = open[stream];
    if (f.records == 0) {
      f.body.assign("{\"Records\":[");
      f.target = (1 + gen.rng().Below(8)) * 1000000;
      f.first_ms = gen.now_ms();
    } else {
      f.body.push_back(',');
    }
    f.body.append(record.data(), record.size() - 1);
    ++f.records;
    if (f.body.size() >= f.target && !flush(stream)) return 1;
  }
  for (size_t s = 0; s < open.size(); ++s) {
    if (!flush(s)) return 1;
  }
  if (std::fclose(ndjson) != 0) return 1;
  std::printf("tw_gen_corpus: seed=%" PRIu64 " events=%" PRIu64 " json_bytes=%" PRIu64
              " avg_event_bytes=%.0f files=%" PRIu64 " gz_bytes=%" PRIu64 " out=%s\n",
              opt.seed, events, json_bytes,
              events ? static_cast<double>(json_bytes) / static_cast<double>(events) : 0.0, files,
              gz_bytes, opt.out_dir.c_str());
  return 0;
}

int WriteCwlPayload(const Options& opt) {
  Generator gen(opt.seed);
  std::string data =
      "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\",\"logGroup\":"
      "\"CloudTrail/logs\",\"logStream\":\"123456789012_CloudTrail_us-east-1\","
      "\"subscriptionFilters\":[\"trailwatch\"],\"logEvents\":[";
  const size_t start = data.size();
  std::string record;
  uint64_t events = 0;
  while (data.size() - start < opt.payload_kb * 1000) {
    record.clear();
    gen.WriteRecord(&record);
    if (events > 0) data.push_back(',');
    data.append("{\"id\":\"");
    for (int i = 0; i < 56; ++i) data.push_back(static_cast<char>('0' + gen.rng().Below(10)));
    data.append("\",\"timestamp\":");
    data.append(std::to_string(gen.now_ms()));
    data.append(",\"message\":");
    JsonWriter::AppendQuotedTo(&data, record);
    data.push_back('}');
    ++events;
  }
  data.append("]}");
  Gzipper gz;
  std::string compressed;
  if (!gz.Compress(data, &compressed)) return 1;
  const std::string payload = "{\"awslogs\":{\"data\":\"" + Base64(compressed) + "\"}}";
  if (!WriteFile(opt.cwl_payload, payload)) return 1;
  std::printf("tw_gen_corpus: cwl payload events=%" PRIu64
              " decoded_bytes=%zu gz_bytes=%zu "
              "file_bytes=%zu out=%s\n",
              events, data.size(), compressed.size(), payload.size(), opt.cwl_payload.c_str());
  return 0;
}

bool ParseNumber(const char* text, uint64_t* value) {
  char* end = nullptr;
  *value = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

void Usage() {
  std::fprintf(
      stderr,
      "usage: tw_gen_corpus --seed N (--size-mb N | --events N) --out DIR [--ndjson-only]\n"
      "       tw_gen_corpus --seed N --cwl-payload FILE [--payload-kb N]\n");
}

}  // namespace
}  // namespace tw::bench

int main(int argc, char** argv) {
  using tw::bench::Options;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    bool ok = true;
    if (arg == "--seed" && has_value) {
      ok = tw::bench::ParseNumber(argv[++i], &opt.seed);
    } else if (arg == "--size-mb" && has_value) {
      ok = tw::bench::ParseNumber(argv[++i], &opt.size_mb);
    } else if (arg == "--events" && has_value) {
      ok = tw::bench::ParseNumber(argv[++i], &opt.events);
    } else if (arg == "--payload-kb" && has_value) {
      ok = tw::bench::ParseNumber(argv[++i], &opt.payload_kb);
    } else if (arg == "--out" && has_value) {
      opt.out_dir = argv[++i];
    } else if (arg == "--cwl-payload" && has_value) {
      opt.cwl_payload = argv[++i];
    } else if (arg == "--ndjson-only") {
      opt.ndjson_only = true;
    } else {
      ok = false;
    }
    if (!ok) {
      tw::bench::Usage();
      return 2;
    }
  }
  if (!opt.cwl_payload.empty()) return tw::bench::WriteCwlPayload(opt);
  if (opt.out_dir.empty() || (opt.size_mb == 0 && opt.events == 0)) {
    tw::bench::Usage();
    return 2;
  }
  return tw::bench::WriteCorpus(opt);
}
