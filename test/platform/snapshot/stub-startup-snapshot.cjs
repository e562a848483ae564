// Preload (`node -r`) for test/platform/snapshot.test.ts: stands in for a runtime whose v8.startupSnapshot
// is missing (STARTUP_SNAPSHOT=absent) or a stub whose every method throws (otherwise).
const v8 = require('node:v8');

if (process.env.STARTUP_SNAPSHOT === 'absent') {
  delete v8.startupSnapshot;
} else {
  const thrower = (name) => () => {
    throw new Error(`v8.startupSnapshot.${name} is not supported here`);
  };
  v8.startupSnapshot = {
    isBuildingSnapshot: thrower('isBuildingSnapshot'),
    addSerializeCallback: thrower('addSerializeCallback'),
    addDeserializeCallback: thrower('addDeserializeCallback'),
    setDeserializeMainFunction: thrower('setDeserializeMainFunction'),
  };
}
