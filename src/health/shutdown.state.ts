import { Injectable } from '@nestjs/common';

/** Set on SIGTERM so readiness fails at once, before the server stops accepting. */
@Injectable()
export class ShutdownState {
  private draining = false;

  begin(): void {
    this.draining = true;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }
}
