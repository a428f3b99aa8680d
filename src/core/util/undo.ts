/**
 * An undo stack for multi-step operations: register the inverse of each step as soon as the step
 * succeeds; on failure, run them in reverse order (every undo is attempted, errors are collected).
 */
export class UndoStack {
  private steps: Array<{ name: string; fn: () => Promise<void> | void }> = [];

  push(name: string, fn: () => Promise<void> | void): void {
    this.steps.push({ name, fn });
  }

  /** Forget the registered steps: the operation succeeded and its parts now belong to someone. */
  commit(): void {
    this.steps = [];
  }

  async unwind(): Promise<Error[]> {
    const errors: Error[] = [];
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
      } catch (err) {
        errors.push(new Error(`undo ${step.name}: ${(err as Error).message}`));
      }
    }
    return errors;
  }
}

/** Runs `body` with an UndoStack; on throw, unwinds and rethrows the original error. */
export async function withUndo<T>(body: (undo: UndoStack) => Promise<T>): Promise<T> {
  const undo = new UndoStack();
  try {
    const result = await body(undo);
    undo.commit();
    return result;
  } catch (err) {
    await undo.unwind();
    throw err;
  }
}
