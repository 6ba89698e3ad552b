// The provisioning service's certificate authority, simulated: it issues each device a
// real X.509 certificate (an EC P-256 key, signed by a CA made when fleet-sim starts), so
// that a device, or a test acting as one, can read it with any TLS tool.
#pragma once

#include <string>

namespace fleetsim {

struct IssuedCertificate {
  std::string serial;     // upper-case hex, as `openssl x509 -serial` prints it
  std::string pem;        // the certificate
  std::string not_after;  // RFC 3339
  std::string error;      // non-empty when it could not be made
};

// A certificate for DEVICE (its common name), valid for DAYS from now.
IssuedCertificate issue_certificate(const std::string& device, int days);

}  // namespace fleetsim
