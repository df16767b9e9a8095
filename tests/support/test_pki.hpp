#pragma once
// Certificates for tests, made with the openssl tool in a temporary folder:
// a CA, and certificates it signs for 127.0.0.1. Removed with the object.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fmc::test_support {

class TestPki {
 public:
  struct Issued {
    std::string cert, key;
  };

  explicit TestPki(const std::string& ca_name = "test-ca")
      : dir_([] {
          char tmpl[] = "/tmp/fmc-pki-XXXXXX";
          return std::string(mkdtemp(tmpl));
        }()),
        ca_{dir_ + "/ca.pem", dir_ + "/ca.key"} {
    std::ofstream(dir_ + "/ext.cnf") << "subjectAltName=IP:127.0.0.1\n";
    run("openssl req -x509 " + kKey + " -days 1 -subj /CN=" + ca_name + " -keyout " + ca_.key + " -out " + ca_.cert);
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& ca_cert() const { return ca_.cert; }

  // A certificate with CN=`name` (and the IP 127.0.0.1) that this CA signed.
  Issued issue(const std::string& name) const {
    const Issued out{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
    run("openssl req " + kKey + " -subj /CN=" + name + " -keyout " + out.key + " -out " + dir_ + "/" + name + ".csr");
    run("openssl x509 -req -in " + dir_ + "/" + name + ".csr -CA " + ca_.cert + " -CAkey " + ca_.key +
        " -CAcreateserial -days 1 -extfile " + dir_ + "/ext.cnf -out " + out.cert);
    return out;
  }

 private:
  inline static const std::string kKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  static void run(const std::string& cmd) {
    const std::string quiet = cmd + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(quiet.c_str()), 0) << cmd;
  }

  std::string dir_;
  Issued ca_;
};

}  // namespace fmc::test_support
