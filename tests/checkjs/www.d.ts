// What the admin tool (www/) adds to the page's globals.

interface Window {
  /** Set once the tool has started, for the browser tests to wait on. */
  __conveyorAdmin?: { ready: boolean };
}
