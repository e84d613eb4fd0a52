// @citation-js/core and its format plugins ship no type declarations; this module uses one function of them.
declare module '@citation-js/core' {
  export const plugins: {
    input: {
      chainAsync(input: string, options: { forceType?: string; generateGraph?: boolean }): Promise<unknown[]>;
    };
  };
}
declare module '@citation-js/plugin-ris';
declare module '@citation-js/plugin-bibtex';
