/** Types of host/project.mjs. */
export declare const ROOT: string;
export declare const HOST_NODE_ARGS: string[];
export declare const FROM_SOURCE: boolean;
export declare function newestMtime(path: string): number;
export declare function isStale(output: string, sources: string[]): boolean;
