// Request signing against published vectors: AWS's Signature Version 4 test suite
// (tests/signing/aws-sig-v4-test-suite, every case: canonical request, string to sign,
// Authorization header) and Azure shared access signatures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stdlib/signing.hpp"
#include "test_support.hpp"

namespace rbk {
namespace {

namespace fs = std::filesystem;
using test::tests_dir;

// The suite's key, region and service (its documentation page names them).
const SigV4Key kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
                         "service"};
const char* kSuiteDate = "20150830T123600Z";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A .req file: "METHOD PATH[?QUERY] HTTP/1.1", header lines ("Name:value"; a line that
// starts with a space continues the header before it as another of its values), a blank
// line, the body.
SigV4Request parse_req(const std::string& text) {
  SigV4Request r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  while (std::getline(in, line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.emplace_back(r.headers.back().first, line);
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r.body = rest;
  return r;
}

std::vector<fs::path> suite_cases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(tests_dir() / "signing"))
    if (e.path().extension() == ".authz") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SigV4, EveryCaseOfTheAwsSuite) {
  std::vector<fs::path> cases = suite_cases();
  ASSERT_GE(cases.size(), 25u) << "the suite is missing";
  for (const auto& authz : cases) {
    fs::path base = authz;
    base.replace_extension();
    SCOPED_TRACE(base.filename().string());
    SigV4Request req = parse_req(slurp(base.string() + ".req"));
    SigV4Signature s = sigv4_sign(req, kSuiteKey, kSuiteDate);
    const std::string creq = slurp(base.string() + ".creq"), sts = slurp(base.string() + ".sts");
    EXPECT_EQ(s.canonical_request, creq);
    // The suite's two form cases are not consistent: their string to sign is not the hash of
    // the canonical request beside it (checked here, so that the exception stays one). The
    // first was signed without content-length, as its .authz says; the second is checked
    // up to its canonical request.
    const std::string name = base.filename().string();
    if (name.rfind("post-x-www-form-urlencoded", 0) == 0) {
      EXPECT_NE(sts.substr(sts.rfind('\n') + 1), sha256_hex(creq));
      if (name == "post-x-www-form-urlencoded-parameters") continue;
      std::erase_if(req.headers, [](const auto& h) { return h.first == "Content-Length"; });
      s = sigv4_sign(req, kSuiteKey, kSuiteDate);
    }
    EXPECT_EQ(s.string_to_sign, sts);
    EXPECT_EQ(s.authorization, slurp(authz));
  }
}

TEST(SigV4, AmzDateIsUtc) {
  EXPECT_EQ(amz_date(1440938160000), "20150830T123600Z");
}

TEST(SigV4, S3SignsThePathAsSent) {
  SigV4Request r{
      "GET", "/my bucket/a//b", "", {{"host", "s3.amazonaws.com"}, {"x-amz-date", kSuiteDate}}, ""};
  SigV4Key s3 = kSuiteKey;
  s3.service = "s3";
  EXPECT_NE(sigv4_sign(r, s3, kSuiteDate).canonical_request.find("\n/my%20bucket/a//b\n"),
            std::string::npos);
  // other services normalize the path and encode it again
  EXPECT_NE(sigv4_sign(r, kSuiteKey, kSuiteDate).canonical_request.find("\n/my%20bucket/a/b\n"),
            std::string::npos);
}

TEST(Base64, RoundTripsAndRefusesWhatIsNotBase64) {
  std::string out;
  EXPECT_EQ(base64_encode("any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw==");
  ASSERT_TRUE(base64_decode("YW55IGNhcm5hbCBwbGVhcw==", out));
  EXPECT_EQ(out, "any carnal pleas");
  EXPECT_FALSE(base64_decode("YW55*", out));
  EXPECT_FALSE(base64_decode("YW==55", out));
}

// The token the formula of Azure's documentation gives (HMAC-SHA256 over the encoded
// resource, a line break and the expiry; base64; URL-encoded), computed independently with
// Python's hmac, base64 and urllib.parse.quote(safe=''):
//   key = base64.b64decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
//   sr = quote("myhub.azure-devices.net/devices/sensor-0042", safe="")
//   sig = quote(base64.b64encode(hmac.new(key, f"{sr}\n1767225600".encode(), sha256).digest()),
//   safe="")
TEST(AzureSas, MatchesTheDocumentedFormula) {
  std::string key;
  ASSERT_TRUE(base64_decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", key));
  EXPECT_EQ(azure_sas_token("myhub.azure-devices.net/devices/sensor-0042", "iothubowner", key,
                            1767225600),
            "SharedAccessSignature "
            "sr=myhub.azure-devices.net%2Fdevices%2Fsensor-0042&sig=J2YwtsoyfQlaaIWwnSE7iMVlU1Xb%"
            "2BJqePWq4tLO1d5A%3D"
            "&se=1767225600&skn=iothubowner");
}

}  // namespace
}  // namespace rbk
