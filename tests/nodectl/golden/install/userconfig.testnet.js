module.exports = {
  initial: {
    ipaddress: "203.0.113.7",
    zelid: "112D2adLM3UKy4Z4giRbReR6gjWuvHUqB",
    kadena: "",
    testnet: true,
    development: false,
    blockedPorts: [],
    blockedRepositories: [],
  },
};
