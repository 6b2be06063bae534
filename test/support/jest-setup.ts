// Runs before each test file (jest.config.js, setupFiles).

// On Node 20 the AWS SDK warns that its releases from January 2027 need Node 22. It warns once per
// module registry, and jest gives each test file a registry of its own: 17 copies of one fact in
// the test output. The README says it once; the SDK's own switch keeps it out of the tests. (Servers
// the tests start as processes get an environment of their own, so they still warn, once each.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
