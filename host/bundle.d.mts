/** Types of host/bundle.mjs. */
export declare const HOST_BUNDLE: string;
export declare const PREFLIGHT_BUNDLE: string;
export declare const BACKUP_BUNDLE: string;
export declare function hostBundleStale(): boolean;
export declare function buildHostBundle(options?: { outdir?: string; selfContained?: boolean }): Promise<void>;
