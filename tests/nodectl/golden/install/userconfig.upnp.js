module.exports = {
  initial: {
    ipaddress: "203.0.113.7",
    zelid: "112D2adLM3UKy4Z4giRbReR6gjWuvHUqB",
    kadena: "kadena:k:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f?chainid=0",
    testnet: false,
    development: false,
    apiport: 16137,
    routerIP: "192.168.1.1",
    blockedPorts: [],
    blockedRepositories: [],
  },
};
